"""An application whose email is already someone's becomes theirs only when they say so.

The attack: an anonymous applicant types an existing member's email; approving it used to
give that member a new membership, an invoice and terms acceptances she never gave. Now the
approval (and the assembly's admission) waits for the email's owner, who is sent a signed
link: "yes, it is mine" goes on with the decision, "no" closes the application.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from contributions.models import DuesInvoice
from governance.models import Proposal
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AuditEntry
from meetcoop.users.models import User
from membership.models import Membership, TermsAcceptance
from resellers import services
from resellers.models import Application
from resellers.services import (
    application_admit,
    application_approve,
    application_owner_confirm,
    application_owner_disown,
    application_reject,
    confirmation_url,
)
from tests.factories import (
    ApplicationFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    UserFactory,
)
from tests.resellers.counts import applicant_members, applicant_memberships

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
VICTIM = "nuria@example.org"


@pytest.fixture
def victim():
    """A member with a login and an operational membership (with the co-op)."""
    contact = MemberContactFactory(member__email=VICTIM, user__email=VICTIM)
    OperationalMembershipFactory(member=contact.member)
    return contact


@pytest.fixture
def forged(setup, small, terms):
    """An anonymous applicant's application to my steward, with the victim's email."""
    return ApplicationFactory(
        steward=setup,
        service_level=small,
        email="Nuria@Example.org",
        name="Someone Else",
        terms=list(terms.values()),
    )


def approve(application, admin, capture):
    with capture(execute=True):
        return application_approve(application=application, actor=admin, on=TODAY)


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def link_in(message) -> str:
    [line] = [line for line in message.body.splitlines() if "/apply/confirm/" in line]
    return path_of(line.strip())


# --- the attack -----------------------------------------------------------------------------------


def test_approving_someone_elses_email_joins_nothing_to_them(
    forged, victim, steward_admin, django_capture_on_commit_callbacks
):
    before = {
        "memberships": applicant_memberships().count(),
        "invoices": DuesInvoice.objects.count(),
        "acceptances": TermsAcceptance.objects.count(),
        "members": applicant_members().count(),
        "users": User.objects.count(),
    }
    approve(forged, steward_admin, django_capture_on_commit_callbacks)

    assert forged.status == Application.Status.AWAITING_CONFIRMATION
    assert forged.member is None and forged.membership is None
    after = {
        "memberships": applicant_memberships().count(),
        "invoices": DuesInvoice.objects.count(),
        "acceptances": TermsAcceptance.objects.count(),
        "members": applicant_members().count(),
        "users": User.objects.count(),
    }
    assert after == before
    # The only email goes to the address, asking its owner; it carries the link.
    [asked] = mail.outbox
    assert asked.to == ["Nuria@Example.org"]
    assert "nothing is joined to your account" in asked.body.replace("\n", " ")
    assert "/apply/confirm/" in asked.body
    assert AuditEntry.objects.filter(action="resellers.application.awaiting_confirmation").exists()


def test_the_owner_says_it_is_not_theirs_and_the_application_closes(
    client, forged, victim, steward_admin, django_capture_on_commit_callbacks
):
    approve(forged, steward_admin, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Someone Else" in page.content.decode()  # the owner sees what was sent
    assert Application.objects.get().status == "awaiting_confirmation"  # GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"answer": "not_mine"})
    assert response.status_code == 302
    forged.refresh_from_db()
    assert forged.status == Application.Status.DISOWNED
    assert "did not send" in forged.decision_reason_words
    assert victim.member.memberships.count() == 1  # still only her own
    assert not DuesInvoice.objects.exists()
    assert "is no longer waiting" in client.get(link).content.decode()


def test_the_owner_confirms_and_the_approval_goes_on_into_their_member(
    client, forged, victim, steward_admin, small, django_capture_on_commit_callbacks
):
    approve(forged, steward_admin, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"answer": "mine"})

    forged.refresh_from_db()
    assert forged.status == Application.Status.APPROVED
    assert forged.owner_confirmed_at is not None
    assert forged.decided_by == steward_admin  # the decision is still the admin's
    assert forged.member == victim.member  # the member reused, after her word
    assert applicant_members().count() == 1 and User.objects.count() == 2  # victim + admin
    membership = forged.membership
    assert (membership.steward, membership.service_level) == (forged.steward, small)
    assert DuesInvoice.objects.filter(membership=membership).exists()
    assert TermsAcceptance.objects.filter(member=victim.member).count() == 2
    assert AuditEntry.objects.filter(action="resellers.application.owner_confirmed").exists()


def test_confirming_twice_changes_nothing_and_no_is_too_late_then(forged, victim, steward_admin):
    application_approve(application=forged, actor=steward_admin, on=TODAY)
    application_owner_confirm(application=forged, on=TODAY)
    application_owner_confirm(application=forged, on=TODAY)
    assert Membership.objects.filter(member=victim.member).count() == 2
    with pytest.raises(DomainError, match="no longer waiting"):
        application_owner_disown(application=forged)


# --- the link -------------------------------------------------------------------------------------


def test_the_link_needs_nothing_else_and_tells_who_is_signed_in(
    client, forged, victim, steward_admin
):
    application_approve(application=forged, actor=steward_admin, on=TODAY)
    link = path_of(confirmation_url(forged))

    assert "signed in as" not in client.get(link).content.decode()
    client.force_login(UserFactory(email="someone@example.org"))
    page = client.get(link).content.decode()
    assert "You are signed in as someone@example.org" in page
    assert "this link is for Nuria@Example.org" in page
    client.force_login(victim.user)
    assert "signed in as" not in client.get(link).content.decode()


def test_a_changed_link_or_another_applications_is_not_found(
    client, forged, victim, steward_admin, setup, small
):
    application_approve(application=forged, actor=steward_admin, on=TODAY)
    link = path_of(confirmation_url(forged))
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(link.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.get(reverse("resellers:confirm", args=["garbage"])).status_code == 404
    response = client.post(link.replace(token, token[:-2] + "xx"), {"answer": "mine"})
    assert response.status_code == 404
    forged.refresh_from_db()
    assert forged.status == Application.Status.AWAITING_CONFIRMATION


def test_an_expired_link_says_so_and_changes_nothing(client, forged, victim, steward_admin):
    with freeze_time("2026-11-24 10:00:00"):
        application_approve(application=forged, actor=steward_admin, on=TODAY)
        link = path_of(confirmation_url(forged))
    with freeze_time("2026-12-09 10:00:01"):  # 15 days later
        response = client.post(link, {"answer": "mine"})
        assert response.status_code == 200
        assert "expired" in response.content.decode()
    forged.refresh_from_db()
    assert forged.status == Application.Status.AWAITING_CONFIRMATION


def test_the_admin_can_send_the_link_again_and_reject_meanwhile(
    client, forged, victim, steward_admin, django_capture_on_commit_callbacks
):
    approve(forged, steward_admin, django_capture_on_commit_callbacks)
    client.force_login(steward_admin)
    url = reverse("admin:resellers_application_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "resend_confirmation", "_selected_action": [forged.pk]})
    assert len(mail.outbox) == 2 and "/apply/confirm/" in mail.outbox[1].body
    application_reject(application=forged, actor=steward_admin, reason="Not reachable.")
    forged.refresh_from_db()
    assert forged.status == Application.Status.REJECTED


# --- which emails are asked ---------------------------------------------------------------------


def test_a_new_email_is_approved_as_before(
    setup, small, terms, steward_admin, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(
        steward=setup, service_level=small, email="new@example.org", terms=list(terms.values())
    )
    approve(application, steward_admin, django_capture_on_commit_callbacks)
    assert application.status == Application.Status.APPROVED
    assert application.owner_confirmed_at is None
    assert applicant_members().get().email == "new@example.org"


@pytest.mark.parametrize("owner", ["login only", "member only", "another login's address"])
def test_any_login_member_or_address_with_the_email_is_asked(
    owner, forged, steward_admin, other_steward
):
    if owner == "login only":
        UserFactory(email=VICTIM)
    elif owner == "member only":
        MembershipFactory(member__email=VICTIM, steward=other_steward)
    else:
        user = UserFactory(email="main@example.org")
        EmailAddress.objects.create(user=user, email=VICTIM, verified=True)
    application_approve(application=forged, actor=steward_admin, on=TODAY)
    assert forged.status == Application.Status.AWAITING_CONFIRMATION
    assert not Membership.objects.filter(steward=forged.steward).exists()


def test_a_confirmed_address_of_another_login_joins_that_login(forged, steward_admin):
    user = UserFactory(email="main@example.org")
    EmailAddress.objects.create(user=user, email=VICTIM, verified=True)
    application_approve(application=forged, actor=steward_admin, on=TODAY)
    application_owner_confirm(application=forged, on=TODAY)
    assert forged.status == Application.Status.APPROVED
    assert list(forged.member.contacts.all()) == [user]
    assert User.objects.filter(email__iexact=VICTIM).count() == 0


def test_the_enrolment_itself_refuses_an_unconfirmed_email(forged, victim):
    """Whatever path reaches it, no enrolment joins an email's owner without their word."""
    from resellers.services.admission import _enrol

    with pytest.raises(DomainError) as refused:
        _enrol(forged, actor=None, on=TODAY)
    assert refused.value.code == services.OWNER_MUST_CONFIRM


def test_a_level_that_filled_meanwhile_puts_the_confirmed_application_on_the_waiting_list(
    forged, victim, steward_admin, setup, small
):
    application_approve(application=forged, actor=steward_admin, on=TODAY)
    MembershipFactory.create_batch(2, steward=setup, service_level=small)  # capacity 2
    application_owner_confirm(application=forged, on=TODAY)
    assert forged.status == Application.Status.WAITLISTED
    assert forged.owner_confirmed_at is not None
    assert "filled meanwhile" in forged.decision_reason_words
    assert not Membership.objects.filter(member=victim.member, steward=setup).exists()


# --- operational applications: approval and admission --------------------------------------------


@pytest.fixture
def forged_operational(setup, terms):
    return ApplicationFactory(
        steward=setup, operational=True, email=VICTIM, terms=list(terms.values())
    )


def test_an_operational_approval_waits_for_the_owner_before_the_assembly(
    forged_operational, victim, steward_admin, monkeypatch, django_capture_on_commit_callbacks
):
    # A user member's email (its operational membership ended): it may apply to be one.
    victim.member.memberships.update(status="ended", ended_on=TODAY)
    MembershipFactory(member=victim.member)
    opened = []
    monkeypatch.setattr(
        "resellers.services.admission.admission_proposal_open",
        lambda *, application_id, applicant, statement, actor: opened.append(application_id),
    )
    approve(forged_operational, steward_admin, django_capture_on_commit_callbacks)
    assert forged_operational.status == Application.Status.AWAITING_CONFIRMATION
    assert opened == []

    with django_capture_on_commit_callbacks(execute=True):
        application_owner_confirm(application=forged_operational, on=TODAY)
    assert forged_operational.status == Application.Status.AWAITING_ASSEMBLY
    assert opened == [forged_operational.pk]


def test_an_operational_member_applying_again_is_refused_at_the_confirmation(
    forged_operational, victim, steward_admin, django_capture_on_commit_callbacks
):
    """A lapsed operational member applies again: its confirmation is refused with the reason
    (as for a user membership held), and nothing goes to the assembly, where the adoption
    could never make a second operational membership."""
    victim.member.memberships.update(status="lapsed")
    approve(forged_operational, steward_admin, django_capture_on_commit_callbacks)
    assert forged_operational.status == Application.Status.AWAITING_CONFIRMATION
    with pytest.raises(DomainError, match="already holds"):
        application_owner_confirm(application=forged_operational, on=TODAY)
    forged_operational.refresh_from_db()
    assert forged_operational.status == Application.Status.AWAITING_CONFIRMATION
    assert forged_operational.owner_confirmed_at is None
    assert not Proposal.objects.filter(admission_application_id=forged_operational.pk).exists()


def test_an_admission_adopted_for_a_member_admitted_meanwhile_closes_saying_why(
    forged_operational, victim
):
    """Two applications of one member both before the assembly: once the first admitted it,
    the second's adoption makes nothing new and closes the application (not admitted, with
    why), so that its proposal's close goes through."""
    forged_operational.status = Application.Status.AWAITING_ASSEMBLY
    forged_operational.owner_confirmed_at = forged_operational.submitted_at
    forged_operational.save(update_fields=["status", "owner_confirmed_at"])

    assert application_admit(application=forged_operational, actor=None, on=TODAY) is None
    forged_operational.refresh_from_db()
    assert forged_operational.status == Application.Status.NOT_ADMITTED
    assert "already holds an operational membership" in forged_operational.decision_reason_words
    assert victim.member.memberships.filter(type="operational").count() == 1


def test_an_admission_adopted_for_an_email_that_became_someones_waits_for_the_owner(
    forged_operational, steward_admin, other_steward
):
    """The email was new at the approval; a member with it appeared before the vote closed.
    The adoption does not join the application to that member until its owner confirms."""
    forged_operational.status = Application.Status.AWAITING_ASSEMBLY
    forged_operational.save(update_fields=["status"])
    member = MembershipFactory(member__email=VICTIM, steward=other_steward).member

    assert application_admit(application=forged_operational, actor=None, on=TODAY) is None
    assert forged_operational.status == Application.Status.AWAITING_CONFIRMATION
    assert not member.memberships.filter(type="operational").exists()
    # The proposal's close may run the receiver again: nothing more happens.
    assert application_admit(application=forged_operational, actor=None, on=TODAY) is None

    application_owner_confirm(application=forged_operational, on=TODAY)
    assert forged_operational.status == Application.Status.ADMITTED
    assert member.memberships.filter(type="operational", status="active").exists()


def test_an_admission_of_a_new_email_admits_at_once(forged_operational, steward_admin):
    forged_operational.status = Application.Status.AWAITING_ASSEMBLY
    forged_operational.save(update_fields=["status"])
    membership = application_admit(application=forged_operational, actor=None, on=TODAY)
    assert membership.status == "active"
    assert forged_operational.status == Application.Status.ADMITTED


# --- what the steward's admin sees ----------------------------------------------------------------


def test_the_admin_list_says_whose_email_it_is(
    client, forged, victim, steward_admin, setup, small, django_capture_on_commit_callbacks
):
    new = ApplicationFactory(steward=setup, service_level=small, email="new@example.org")
    client.force_login(steward_admin)
    url = reverse("admin:resellers_application_changelist")

    def column():
        page = client.get(url, {"status": "all"})
        return {
            app.email: page.context["cl"].model_admin.email_owner(app)
            for app in page.context["cl"].result_list
        }

    assert column() == {
        "Nuria@Example.org": "an existing member's: approving asks its owner",
        "new@example.org": "new to the co-op",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve_selected", "_selected_action": [forged.pk]})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("waits until the email's owner confirms" in m for m in messages)
    assert column()["Nuria@Example.org"] == "an existing member's: confirmation pending"
    pending = client.get(url, {"status": "all", "email_owner": "pending"}).context["cl"].result_list
    assert list(pending) == [forged]
    assert list(
        client.get(url, {"status": "all", "email_owner": "new"}).context["cl"].result_list
    ) == [new]

    application_owner_confirm(application=forged, on=TODAY)
    assert column()["Nuria@Example.org"] == "an existing member's: confirmed by its owner"
    confirmed = (
        client.get(url, {"status": "all", "email_owner": "confirmed"}).context["cl"].result_list
    )
    assert list(confirmed) == [forged]
