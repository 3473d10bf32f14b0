import datetime

import pytest

from governance import services
from governance.models import Proposal, Voter
from membership.models import Membership
from tests.factories import ApplicationFactory, CoopStewardFactory, PolicyFactory
from tests.governance.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    PolicyFactory()
    return ApplicationFactory(
        operational=True,
        steward=CoopStewardFactory(),
        status="awaiting_assembly",
        name="Ada Lovelace",
        email="ada@example.org",
        statement="I care.",
        submitted_at=NOW - datetime.timedelta(days=10),
    )


def open_admission(application, author):
    return services.admission_proposal_open(
        application_id=application.pk,
        applicant=application.display_name,
        statement=application.statement,
        actor=author,
        now=NOW,
    )


def test_approval_opens_an_admission_proposal_in_the_permanent_assembly(
    application, make_voters, author
):
    make_voters(2)
    voting_user_member = make_voters(1, membership_type="user")
    proposal = open_admission(application, author)
    assert proposal.status == Proposal.Status.OPEN
    assert proposal.electorate == Proposal.Electorate.ALL
    assert proposal.admission_application_id == application.pk
    assert proposal.electorate_size == 3
    assert voting_user_member[0][0].pk in set(proposal.voters.values_list("member_id", flat=True))
    assert "Ada Lovelace" in proposal.title and "I care." in proposal.text
    assert proposal.closes_at == NOW + datetime.timedelta(days=7)


def test_opening_the_admission_twice_returns_the_same_proposal(application, make_voters, author):
    make_voters(1)
    first = open_admission(application, author)
    second = open_admission(application, author)
    assert first.pk == second.pk
    assert Proposal.objects.count() == 1


def test_adoption_admits_the_member_end_to_end(application, make_voters, author):
    voters = make_voters(2)
    proposal = open_admission(application, author)
    for member, user in voters:
        services.stance_cast(
            proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=NOW
        )
    after = proposal.closes_at + datetime.timedelta(minutes=1)
    services.close_due_proposals(now=after)
    services.close_due_proposals(now=after)  # twice: nothing more happens
    application.refresh_from_db()
    assert application.status == "admitted"
    membership = Membership.objects.get(member__email="ada@example.org", type="operational")
    assert membership.status == "active"
    assert membership.admitted_on == proposal.closes_at.date()
    assert membership.applied_on == application.submitted_at.date()
    assert Membership.objects.filter(member__email="ada@example.org").count() == 1


def test_rejection_closes_the_application_with_the_outcome(application, make_voters, author):
    ((member, user),) = make_voters(1)
    proposal = open_admission(application, author)
    services.stance_cast(
        proposal=proposal,
        member=member,
        stance=Voter.Stance.BLOCK,
        reason="Values don't align.",
        actor=user,
        now=NOW,
    )
    services.proposal_close(
        proposal=proposal, actor=None, now=proposal.closes_at + datetime.timedelta(seconds=1)
    )
    application.refresh_from_db()
    assert application.status == "not_admitted"
    decision = application.decisions.get(status_to="not_admitted")
    assert "1 member blocked" in decision.reason_words
    assert not Membership.objects.filter(member__email="ada@example.org").exists()


def test_a_steward_approval_opens_the_admission_proposal(
    make_voters, django_capture_on_commit_callbacks
):
    """From the steward's decision to the Permanent Assembly: one hand-over call."""
    from resellers.services import application_approve
    from tests.factories import UserFactory

    PolicyFactory()
    make_voters(2)
    steward = CoopStewardFactory()
    admin = UserFactory(is_staff=True)
    steward.admins.add(admin)
    application = ApplicationFactory(operational=True, steward=steward, name="Bo Berg")
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=admin)
    application.refresh_from_db()
    assert application.status == "awaiting_assembly"
    proposal = Proposal.objects.get(admission_application_id=application.pk)
    assert proposal.status == Proposal.Status.OPEN and "Bo Berg" in proposal.title
    assert proposal.electorate_size == 2


def test_with_nobody_to_vote_the_approval_stands_and_the_admin_retries_later(
    client, django_capture_on_commit_callbacks
):
    """No active member yet: the proposal can't open; no error page, and a retry works."""
    from meetcoop.core.models import AuditEntry
    from resellers.services import application_approve
    from tests.factories import UserFactory, voting_member

    PolicyFactory()
    steward = CoopStewardFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)
    application = ApplicationFactory(operational=True, steward=steward, name="Cy Costa")
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=admin)
    application.refresh_from_db()
    assert application.status == "awaiting_assembly"
    assert not Proposal.objects.exists()
    assert AuditEntry.objects.filter(action="resellers.application.admission_not_opened").exists()
    voting_member()
    client.force_login(admin)
    client.post(
        "/admin/resellers/application/",
        {"action": "open_admission_proposal", "_selected_action": [application.pk]},
    )
    assert Proposal.objects.get(admission_application_id=application.pk).status == "open"


def test_an_admission_the_application_no_longer_awaits_stays_open_with_the_reason(
    application, make_voters, author, client
):
    """Someone moved the application on while the assembly voted: closing is refused with
    the application's own reason, nothing is half done, and the page does not break."""
    from django.core.exceptions import ValidationError
    from django.urls import reverse
    from freezegun import freeze_time

    from resellers.models import Application

    ((member, user),) = make_voters(1)
    proposal = open_admission(application, author)
    services.stance_cast(
        proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=NOW
    )
    Application.objects.filter(pk=application.pk).update(status="rejected")
    after = proposal.closes_at + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="Only an application awaiting the assembly"):
        services.proposal_close(proposal=proposal, actor=author, now=after)
    assert services.close_due_proposals(now=after) == 0
    client.force_login(user)
    with freeze_time(after):
        page = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
    assert page.status_code == 200
    assert "the outcome is being recorded" in page.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN
    assert not Membership.objects.filter(member__email="ada@example.org").exists()


def test_an_organisation_with_long_names_gets_its_admission_proposal(make_voters, author):
    """The application takes 200 characters for each name; the proposal's title holds 200:
    cut with an ellipsis, and the text names them whole."""
    PolicyFactory()
    make_voters(1)
    organisation = "Cooperativa de Trabajo " + "Asociado " * 20
    application = ApplicationFactory(
        operational=True,
        steward=CoopStewardFactory(),
        status="awaiting_assembly",
        kind="organisation",
        organisation_name=organisation.strip()[:200],
        name="María José Fernández-Rodríguez de la Torre y Villalobos",
    )
    proposal = open_admission(application, author)
    assert proposal.status == Proposal.Status.OPEN
    assert len(proposal.title) == 200 and proposal.title.endswith("…")
    assert application.display_name in proposal.text


def test_a_second_adopted_admission_of_one_member_closes_instead_of_staying_open(
    make_voters, author
):
    """A member confirmed two operational applications (two stewards) before either vote
    closed: the first adoption admits it, the second closes its application as not admitted,
    and both proposals are closed, instead of the second being refused at every attempt."""
    from django.utils import timezone

    from resellers.models import Application
    from tests.factories import StewardFactory

    PolicyFactory()
    ((voter, voter_user),) = make_voters(1)
    applicant, _login = make_voters(1, membership_type="user")[0]
    applications = [
        ApplicationFactory(
            operational=True,
            steward=steward,
            status="awaiting_assembly",
            email=applicant.email,
            name=applicant.name,
            owner_confirmed_at=timezone.now(),
        )
        for steward in (CoopStewardFactory(), StewardFactory())
    ]
    for application in applications:
        proposal = open_admission(application, author)
        services.stance_cast(
            proposal=proposal, member=voter, stance=Voter.Stance.AGREE, actor=voter_user, now=NOW
        )
    services.close_due_proposals(now=NOW + datetime.timedelta(days=8))

    assert set(Proposal.objects.values_list("status", flat=True)) == {Proposal.Status.CLOSED}
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == [Application.Status.ADMITTED, Application.Status.NOT_ADMITTED]
    assert applicant.memberships.filter(type="operational").count() == 1
