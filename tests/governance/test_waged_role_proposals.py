"""A waged role's application may go to a proposal instead of a direct decision: whoever may
decide it chooses the electorate (the role's circle, the operational members or all members
with voting rights); the electorate is fixed when it opens and recorded on the proposal; the
outcome, when it closes, accepts the application (the member holds the role from that day)
or declines it. Nobody decides it directly meanwhile, and it goes to a vote only once."""

import datetime
import importlib

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from governance import services
from governance.models import Proposal, RoleApplication, RoleHolder
from meetcoop.core.errors import DomainError
from tests.factories import CircleFactory, UserFactory
from tests.governance.test_waged_roles import person, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech(db):
    from tests.factories import PolicyFactory

    PolicyFactory()
    return CircleFactory(name="Tech", slug="tech")


@pytest.fixture
def pending(tech):
    coordinator = person(tech, "coordinator")
    seated = person(tech)
    person()  # an operational member outside the circle
    role = publish(tech, coordinator.user)
    applicant = person()
    application = services.role_apply(
        role=role, member=applicant.member, statement="I patch.", actor=applicant.user
    )
    return {
        "coordinator": coordinator,
        "seated": seated,
        "applicant": applicant,
        "role": role,
        "application": application,
    }


def propose(application, actor, electorate="circle", days=7):
    return services.role_application_propose(
        application=application,
        electorate=electorate,
        closes_at=timezone.now() + datetime.timedelta(days=days),
        actor=actor,
    )


def close(proposal):
    proposal.refresh_from_db()
    return services.proposal_close(
        proposal=proposal, actor=None, now=proposal.closes_at + datetime.timedelta(seconds=1)
    )


def test_the_circle_decides_with_its_electorate_fixed_and_recorded(pending, tech):
    proposal = propose(pending["application"], pending["coordinator"].user)
    assert proposal.status == Proposal.Status.OPEN
    assert (proposal.electorate, proposal.circle) == (Proposal.Electorate.CIRCLE, tech)
    voters = set(proposal.voters.values_list("member_id", flat=True))
    assert voters == {pending["coordinator"].member.pk, pending["seated"].member.pk}
    assert proposal.electorate_size == 2
    assert "I patch." in proposal.text and "Server caretaker" in proposal.title
    assert "20 hours a month" in proposal.text


def test_no_direct_decision_while_the_proposal_runs_and_only_one_proposal(pending):
    application, coordinator = pending["application"], pending["coordinator"].user
    propose(application, coordinator)
    with pytest.raises(DomainError, match="sent to the proposal"):
        services.role_application_decide(application=application, accept=True, actor=coordinator)
    with pytest.raises(DomainError, match="sent to the proposal"):
        propose(application, UserFactory(is_staff=True, is_superuser=True), "all")
    assert Proposal.objects.count() == 1


def test_adopted_it_makes_the_holder_from_the_closing_day(pending):
    proposal = propose(pending["application"], pending["coordinator"].user)
    for who in ("coordinator", "seated"):
        services.stance_cast(
            proposal=proposal,
            member=pending[who].member,
            stance="agree",
            actor=pending[who].user,
        )
    proposal = close(proposal)
    assert proposal.outcome == Proposal.Outcome.ADOPTED and proposal.agree_count == 2
    application = RoleApplication.objects.get()
    assert application.status == RoleApplication.Status.ACCEPTED
    assert application.decision_note == ""  # the outcome is read from the proposal
    assert application.decision_words == "agreed, with nobody blocking"
    with translation.override("fr"):  # in the reader's language, not the closing moment's
        assert application.decision_words == gettext("agreed, with nobody blocking")
        assert application.decision_words != "agreed, with nobody blocking"
    holder = RoleHolder.objects.get()
    assert holder.member == pending["applicant"].member
    assert holder.started_on == timezone.localdate(proposal.closes_at)
    close(proposal)  # closing again changes nothing
    assert RoleHolder.objects.count() == 1


def test_a_block_declines_it_and_nobody_holds_the_role(pending):
    proposal = propose(pending["application"], pending["coordinator"].user)
    services.stance_cast(
        proposal=proposal,
        member=pending["seated"].member,
        stance="block",
        reason="Not now.",
        actor=pending["seated"].user,
    )
    close(proposal)
    assert RoleApplication.objects.get().status == RoleApplication.Status.DECLINED
    assert not RoleHolder.objects.exists()


def test_the_role_page_says_why_in_the_readers_language(client, pending):
    proposal = propose(pending["application"], pending["coordinator"].user)
    services.stance_cast(
        proposal=proposal,
        member=pending["seated"].member,
        stance="block",
        reason="Not now.",
        actor=pending["seated"].user,
    )
    close(proposal)
    user = pending["coordinator"].user
    user.language = "de"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get(reverse("governance:role_detail", args=[pending["role"].pk]))
    with translation.override("de"):
        why = ngettext("%(n)d member blocked", "%(n)d members blocked", 1) % {"n": 1}
    assert why in page.content.decode()
    assert "1 member blocked" not in page.content.decode()


def test_the_migration_empties_only_a_note_that_is_the_proposals_outcome():
    migration = importlib.import_module(
        "governance.migrations.0015_role_decisions_read_from_proposal"
    )
    fits = migration.note_is_the_outcome
    assert fits("1 Mitglied hat blockiert", "1 Mitglied hat blockiert", "blocked")
    assert fits("agreed, with nobody blocking", "agreed, with nobody blocking", "agreed")
    assert not fits("1 Mitglied hat blockiert", "1 Mitglied hat blockiert", "")  # no code
    assert not fits("We chose Ada.", "agreed, with nobody blocking", "agreed")  # a person's


def test_only_those_who_decide_may_send_it_and_a_coop_role_has_no_circle_vote(pending, tech):
    with pytest.raises(PermissionDenied):
        propose(pending["application"], pending["seated"].user)
    with pytest.raises(DomainError, match="Choose who decides"):
        propose(pending["application"], pending["coordinator"].user, electorate="nobody")
    admin = UserFactory(is_staff=True, is_superuser=True)
    coop_role = publish(None, admin)
    applicant = person()
    application = services.role_apply(
        role=coop_role, member=applicant.member, statement="Me", actor=applicant.user
    )
    with pytest.raises(DomainError, match="whole co-op"):
        propose(application, admin, electorate="circle")
    proposal = propose(application, admin, electorate="operational")
    # every active operational member: coordinator, seated, outsider and both applicants
    assert proposal.electorate_size == 5


def test_the_role_page_sends_it_to_a_vote_and_shows_the_count(client, pending):
    client.force_login(pending["seated"].user)
    url = reverse("governance:role_propose", args=[pending["application"].pk])
    closes = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"electorate": "circle", "closes_at": closes}).status_code == 403
    client.force_login(pending["coordinator"].user)
    response = client.post(url, {"electorate": "circle", "closes_at": "not a date"})
    assert response.status_code == 302 and not Proposal.objects.exists()
    response = client.post(url, {"electorate": "circle", "closes_at": closes})
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("governance:proposal_detail", args=[proposal.pk])
    page = client.get(reverse("governance:role_detail", args=[pending["role"].pk]))
    html = page.content.decode()
    assert "Sent to the proposal" in html and "electorate of 2" in html
    assert reverse("governance:role_decide", args=[pending["application"].pk]) not in html
    services.stance_cast(
        proposal=proposal,
        member=pending["seated"].member,
        stance="agree",
        actor=pending["seated"].user,
    )
    close(proposal)
    html = client.get(reverse("governance:role_detail", args=[pending["role"].pk])).content
    assert "1 agree, 0 abstain and 0 block, out of an electorate of 2" in html.decode()


def test_the_proposal_page_says_what_it_decides(client, pending):
    proposal = propose(pending["application"], pending["coordinator"].user)
    client.force_login(pending["seated"].user)
    html = client.get(reverse("governance:proposal_detail", args=[proposal.pk])).content.decode()
    assert "This proposal decides the application of" in html
    assert reverse("governance:role_detail", args=[pending["role"].pk]) in html


def test_the_migration_reads_old_decisions_from_their_proposal(pending):
    from django.apps import apps

    migration = importlib.import_module(
        "governance.migrations.0015_role_decisions_read_from_proposal"
    )
    proposal = close(propose(pending["application"], pending["coordinator"].user))
    # Decided before: the outcome kept as words, in the language the vote was closed in.
    RoleApplication.objects.update(decision_note=proposal.outcome_reason)
    migration.notes_from_proposals(apps, None)
    application = RoleApplication.objects.get()
    assert application.decision_note == ""
    with translation.override("es"):
        assert application.decision_words == proposal.outcome_text
