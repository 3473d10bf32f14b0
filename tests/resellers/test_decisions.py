"""Decisions on applications: approve, reject, waitlist, admit, close; each once."""

import datetime
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from contributions.models import DuesInvoice
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AppendOnlyError, AuditEntry
from meetcoop.users.models import User
from membership.models import Member, MemberContact, Membership, TermsAcceptance
from resellers import services
from resellers.models import Application, ApplicationDecision
from resellers.services import (
    application_admit,
    application_approve,
    application_close_not_admitted,
    application_reject,
    application_waitlist,
)
from resellers.services import emails as reseller_emails
from tests.factories import (
    ApplicationFactory,
    MemberContactFactory,
    MembershipFactory,
    ServiceLevelFactory,
)
from tests.resellers.counts import applicant_members, applicant_memberships

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def application(setup, small, terms):
    return ApplicationFactory(
        steward=setup,
        service_level=small,
        email="nuria@example.org",
        name="Núria Puig",
        language="ca",
        terms=list(terms.values()),
    )


@pytest.fixture
def operational(setup, terms):
    return ApplicationFactory(
        steward=setup, operational=True, email="ops@example.org", terms=list(terms.values())
    )


# --- approving a user application -----------------------------------------------------------------


def test_approving_a_user_application_creates_member_login_membership_and_invoice(
    application, steward_admin, small, terms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=steward_admin, on=TODAY)

    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == steward_admin
    member = Member.objects.get(email="nuria@example.org")
    assert application.member == member
    assert member.name == "Núria Puig" and member.language == "ca"
    membership = Membership.objects.get(member=member)
    assert application.membership == membership
    assert (membership.type, membership.status) == ("user", "active")
    assert membership.steward == application.steward
    assert membership.service_level == small
    assert membership.applied_on == application.submitted_at.date()
    assert membership.admitted_on == TODAY
    user = User.objects.get(email="nuria@example.org")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert MemberContact.objects.get(member=member).user == user
    invoice = DuesInvoice.objects.get(membership=membership)
    assert invoice.amount == small.minimum_amount and invoice.period_start == TODAY
    assert TermsAcceptance.objects.filter(member=member).count() == 2
    decision = application.decisions.get(status_to="approved")
    assert decision.decided_by == steward_admin and decision.status_from == "submitted"
    assert AuditEntry.objects.filter(action="resellers.application.approved").exists()
    # The decision email carries the invitation to set a password.
    (message,) = mail.outbox
    assert message.to == ["nuria@example.org"]
    assert "/accounts/password/reset/key/" in message.body


def test_approving_twice_creates_one_member_and_reports_the_first_decision(
    application, steward_admin
):
    application_approve(application=application, actor=steward_admin, on=TODAY)

    with pytest.raises(DomainError) as exc:
        application_approve(application=application, actor=steward_admin, on=TODAY)

    assert "already decided" in exc.value.message
    assert "admin@comuns.example" in exc.value.message
    assert applicant_members().count() == 1
    assert applicant_memberships().count() == 1
    assert DuesInvoice.objects.count() == 1
    assert application.decisions.filter(status_to="approved").count() == 1


def test_approving_reuses_an_existing_member_and_login_once_the_owner_confirms(
    application, steward_admin, django_capture_on_commit_callbacks
):
    """The email is a member's: approving asks its owner first (see test_ownership.py), and
    the confirmed application joins that member and login, never a second one."""
    contact = MemberContactFactory(member__email="Nuria@Example.org")
    MembershipFactory(member=contact.member, type="operational", service_level=None)

    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=steward_admin, on=TODAY)
    assert application.status == Application.Status.AWAITING_CONFIRMATION
    assert not contact.member.memberships.filter(type="user").exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_owner_confirm(application=application, on=TODAY)

    assert application.status == Application.Status.APPROVED
    assert applicant_members().count() == 1
    assert User.objects.filter(email__iexact="nuria@example.org").count() == 1
    assert contact.member.memberships.filter(type="user").exists()
    # The login has a password already: the email says to sign in, without a reset link.
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body
    assert "/accounts/login/" in mail.outbox[0].body


def test_a_confirmed_application_for_a_member_who_already_holds_a_user_membership_is_refused(
    application, steward_admin
):
    existing = MembershipFactory(member__email="nuria@example.org")
    application_approve(application=application, actor=steward_admin, on=TODAY)

    with pytest.raises(DomainError, match="already holds"):
        services.application_owner_confirm(application=application, on=TODAY)

    application.refresh_from_db()
    # Nothing happened: the owner is told why, the steward's admin may reject it.
    assert application.status == Application.Status.AWAITING_CONFIRMATION
    assert application.owner_confirmed_at is None
    assert applicant_memberships().get() == existing


def test_approving_when_the_level_is_full_is_refused(application, steward_admin, small):
    MembershipFactory.create_batch(2, steward=application.steward, service_level=small)

    with pytest.raises(DomainError, match="full"):
        application_approve(application=application, actor=steward_admin, on=TODAY)

    assert Member.objects.filter(email="nuria@example.org").count() == 0


def test_a_waitlisted_application_can_be_approved_when_a_place_opens(application, steward_admin):
    application_waitlist(application=application, actor=steward_admin)
    application_approve(application=application, actor=steward_admin, on=TODAY)
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert [d.status_to for d in application.decisions.all()] == ["waitlisted", "approved"]


def test_a_free_level_gets_no_invoice(setup, steward_admin, terms):
    from tests.factories import StewardOfferFactory

    free = ServiceLevelFactory(code="free", minimum_amount=Decimal("0.00"))
    StewardOfferFactory(steward=setup, service_level=free)
    application = ApplicationFactory(steward=setup, service_level=free)

    application_approve(application=application, actor=steward_admin, on=TODAY)

    assert DuesInvoice.objects.count() == 0
    assert applicant_memberships().get().status == "active"


# --- rejecting and waitlisting --------------------------------------------------------------------


def test_reject_needs_a_reason(application, steward_admin):
    with pytest.raises(DomainError) as exc:
        application_reject(application=application, actor=steward_admin, reason="  ")
    assert exc.value.field == "reason"
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_reject_stores_who_when_and_why_and_tells_the_applicant(
    application, steward_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(
            application=application, actor=steward_admin, reason="We serve schools only."
        )

    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.decision_reason == "We serve schools only."
    decision = application.decisions.get()
    assert (decision.decided_by, decision.reason) == (steward_admin, "We serve schools only.")
    assert decision.decided_at is not None
    assert applicant_members().count() == 0
    (message,) = mail.outbox
    assert "We serve schools only." in message.body


def test_a_rejected_application_cannot_be_approved(application, steward_admin):
    application_reject(application=application, actor=steward_admin, reason="No.")
    with pytest.raises(DomainError):
        application_approve(application=application, actor=steward_admin, on=TODAY)
    assert applicant_members().count() == 0


def test_waitlisting_twice_is_reported(application, steward_admin):
    application_waitlist(application=application, actor=steward_admin, reason="Full now.")
    with pytest.raises(DomainError):
        application_waitlist(application=application, actor=steward_admin)
    assert application.decisions.count() == 1


def test_decisions_are_append_only(application, steward_admin):
    application_reject(application=application, actor=steward_admin, reason="No.")
    decision = ApplicationDecision.objects.get()
    decision.reason = "Changed"
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.delete()
    with pytest.raises(AppendOnlyError):
        ApplicationDecision.objects.all().delete()


# --- operational applications ---------------------------------------------------------------------


def test_approving_an_operational_application_hands_over_to_the_assembly(
    operational, steward_admin, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(
        "resellers.services.admission.admission_proposal_open",
        lambda *, application_id, applicant, statement, actor: calls.append(
            (application_id, actor)
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=operational, actor=steward_admin, on=TODAY)

    operational.refresh_from_db()
    assert operational.status == Application.Status.AWAITING_ASSEMBLY
    assert calls == [(operational.pk, steward_admin)]
    assert applicant_members().count() == 0
    assert "Permanent Assembly" in mail.outbox[0].body


def test_admission_proposal_is_opened_only_after_commit(operational, steward_admin, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "resellers.services.admission.admission_proposal_open",
        lambda *, application_id, applicant, statement, actor: calls.append(application_id),
    )
    application_approve(application=operational, actor=steward_admin, on=TODAY)
    assert calls == []  # the test's transaction never commits


def test_admit_creates_the_operational_membership_once(
    operational, steward_admin, django_capture_on_commit_callbacks
):
    application_approve(application=operational, actor=steward_admin, on=TODAY)
    admitted_on = TODAY + datetime.timedelta(days=14)

    with django_capture_on_commit_callbacks(execute=True):
        first = application_admit(application=operational, actor=None, on=admitted_on)
    second = application_admit(application=operational, actor=None, on=admitted_on)

    assert first == second
    assert applicant_memberships().count() == 1 and applicant_members().count() == 1
    assert (first.type, first.status, first.service_level) == ("operational", "active", None)
    assert first.applied_on == operational.submitted_at.date()
    assert first.admitted_on == admitted_on
    operational.refresh_from_db()
    assert operational.status == Application.Status.ADMITTED
    assert operational.membership == first
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_admit_refuses_an_application_not_awaiting_the_assembly(application):
    with pytest.raises(DomainError):
        application_admit(application=application, actor=None, on=TODAY)


def test_close_not_admitted_is_idempotent(operational, steward_admin):
    application_approve(application=operational, actor=steward_admin, on=TODAY)

    application_close_not_admitted(application=operational, actor=None, reason="Blocked.")
    application_close_not_admitted(application=operational, actor=None, reason="Blocked.")

    operational.refresh_from_db()
    assert operational.status == Application.Status.NOT_ADMITTED
    assert operational.decision_reason == "Blocked."
    assert operational.decisions.filter(status_to="not_admitted").count() == 1
    assert applicant_members().count() == 0


def test_close_not_admitted_refuses_an_admitted_application(operational, steward_admin):
    application_approve(application=operational, actor=steward_admin, on=TODAY)
    application_admit(application=operational, actor=None, on=TODAY)
    with pytest.raises(DomainError):
        application_close_not_admitted(application=operational, actor=None, reason="x")


# --- emails ---------------------------------------------------------------------------------------


def test_submission_emails_the_applicant_and_the_stewards_admins(
    setup, small, terms, steward_admin, django_capture_on_commit_callbacks
):
    from tests.factories import StewardAdminFactory

    second_admin = StewardAdminFactory(stewards=[setup], language="es")
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            steward=setup,
            kind="person",
            name="Núria Puig",
            email="nuria@example.org",
            country="ES",
            language="ca",
            type="user",
            service_level=small,
            accepted_terms=list(terms.values()),
        )

    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(["nuria@example.org", steward_admin.email, second_admin.email])
    to_applicant = next(m for m in mail.outbox if m.to == ["nuria@example.org"])
    assert "Comuns Reunits" in to_applicant.subject
    to_admin = next(m for m in mail.outbox if m.to == [steward_admin.email])
    assert f"/admin/resellers/application/{application.pk}/change/" in to_admin.body


def test_email_tasks_send_each_email_once(application, steward_admin):
    from resellers import tasks

    assert tasks.application_submission_notify(application.pk) is True
    assert tasks.application_submission_notify(application.pk) is False
    sent = len(mail.outbox)
    application_reject(application=application, actor=steward_admin, reason="No room.")
    assert tasks.application_decision_notify(application.pk) is True
    assert tasks.application_decision_notify(application.pk) is False
    assert len(mail.outbox) == sent + 1


def test_decision_email_is_rendered_in_the_applicants_language(
    application, steward_admin, monkeypatch
):
    from django.utils import translation

    from meetcoop.core import mail as loader  # where every email is rendered

    seen = []

    original = loader.render_to_string

    def spy(template, context=None, *args, **kwargs):
        seen.append((template, translation.get_language()))
        return original(template, context, *args, **kwargs)

    monkeypatch.setattr(loader, "render_to_string", spy)
    application_reject(application=application, actor=steward_admin, reason="No.")
    services.application_decision_notify(application_id=application.pk)

    assert ("resellers/email/decision_rejected.txt", "ca") in seen


# --- the service's own refusals (not only the form's) -------------------------------------------


def _submit(steward, level, terms):
    return services.application_submit(
        steward=steward,
        kind="person",
        name="Pol Roca",
        email="pol@example.org",
        country="ES",
        language="ca",
        type="user",
        service_level=level,
        accepted_terms=list(terms.values()),
    )


def test_an_application_is_in_the_currency_of_the_policy_in_force(setup, small, terms):
    from django.utils import timezone

    from tests.factories import PolicyFactory

    PolicyFactory(effective_from=timezone.localdate(), currency="CHF")
    assert _submit(setup, small, terms).pledge_currency == "CHF"


def test_a_user_application_is_taken_before_any_policy_exists(steward, small, terms):
    from membership.models import Policy

    assert not Policy.objects.exists()
    assert _submit(steward, small, terms).pledge_currency == "EUR"  # the field's default


def test_the_service_refuses_a_level_the_steward_does_not_offer(setup, terms):
    from tests.factories import ServiceLevelFactory

    elsewhere = ServiceLevelFactory(code="large-elsewhere")
    with pytest.raises(DomainError) as refused:
        _submit(setup, elsewhere, terms)
    assert refused.value.field == "service_level"
    assert not Application.objects.filter(email="pol@example.org").exists()


def test_the_service_refuses_a_steward_not_taking_applications(setup, small, terms):
    setup.accepting_applications = False
    setup.save(update_fields=["accepting_applications"])
    with pytest.raises(DomainError):
        _submit(setup, small, terms)
    assert not Application.objects.filter(email="pol@example.org").exists()


def test_one_failing_address_does_not_stop_the_others_nor_send_twice(
    setup, small, terms, steward_admin, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.factories import StewardAdminFactory

    broken = StewardAdminFactory(stewards=[setup], email="broken@example.org")
    send = reseller_emails.send_templated_email

    def flaky(*, to, **kwargs):
        if to == broken.email:
            raise OSError("mailbox unavailable")
        return send(to=to, **kwargs)

    monkeypatch.setattr(reseller_emails, "send_templated_email", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        application = _submit(setup, small, terms)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["pol@example.org", steward_admin.email])
    assert services.application_submission_notify(application_id=application.pk) is False
    assert len(mail.outbox) == 2
