"""Admission: an application becomes a member.

The enrolment (member, login, membership) shared by a user application's approval and an
operational one's admission; handing an approved operational application to the Permanent
Assembly (and reopening that hand-over); and the assembly's outcome, admitted or closed
(called by governance when the proposal closes).
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Proposal
from governance.services import admission_proposal_open
from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from membership import services as membership_services
from membership.models import Membership
from membership.reasons import system_note

from ..models import Application
from ..reasons import NOT_ADOPTED
from .transitions import OWNER_MUST_CONFIRM, _ask_owner, _lock, _owner_must_confirm, _transition

logger = logging.getLogger(__name__)


# --- the hand-over to the Permanent Assembly ---------------------------------------------------


def _open_admission_proposal(app: Application, actor) -> None:
    """Hand the approved operational application to the Permanent Assembly.

    Runs after the approval is committed, with the application locked (two approvals at once:
    the second finds the first one's proposal). If the proposal can't be opened (nobody has
    voting rights yet, say), the approval stands, the failure is logged and audited, and the
    "Open the admission proposal" action in the admin tries again.
    """
    try:
        with transaction.atomic():
            locked = _lock(app)
            admission_proposal_open(
                application_id=locked.pk,
                applicant=locked.display_name,
                statement=locked.statement,
                actor=actor,
            )
    except DomainError as error:
        logger.warning("Admission proposal for application %s not opened: %s", app.pk, error)
        audit_log(
            actor=actor,
            action="resellers.application.admission_not_opened",
            obj=app,
            data={"error": "; ".join(error.messages)},
        )


def application_admission_reopen(*, application: Application, actor) -> bool:
    """Open the admission proposal of an application still awaiting the assembly, when none
    is open for it. Returns whether one is open now."""
    with transaction.atomic():
        app = _lock(application)  # two clicks at once: the second finds the first's proposal
        if app.status != Application.Status.AWAITING_ASSEMBLY:
            return False
        if not Proposal.objects.filter(admission_application_id=app.pk).exists():
            _open_admission_proposal(app, actor)
        return Proposal.objects.filter(admission_application_id=app.pk).exists()


# --- the assembly's outcome (called by governance when the proposal closes) -------------------


def admission_decided(
    *,
    application_id: int,
    adopted: bool,
    reason: str,
    actor,
    on,
    outcome_code: str = "",
    outcome_params: dict | None = None,
):
    """The Permanent Assembly decided the admission of ``application_id``: admit the applicant,
    or close the application with the outcome (``outcome_code`` and ``outcome_params``, the
    proposal's, stored so that each reader reads it in their language; ``reason``, its words,
    only for a proposal without a code). Runs inside the proposal's close (see
    ``governance.signals.admission_decided``); a ``DomainError`` here rolls the close back."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        raise DomainError(_("The application this proposal admits no longer exists."))
    if adopted:
        return application_admit(application=application, actor=actor, on=on)
    return application_close_not_admitted(
        application=application,
        actor=actor,
        reason="" if outcome_code else admission_refused_reason(reason),
        outcome_code=outcome_code,
        outcome_params=outcome_params,
    )


def admission_refused_reason(why: str) -> str:
    """Why an application was closed when the assembly did not adopt its admission, in the
    active language; ``why`` is the proposal's outcome (``Proposal.outcome_text``)."""
    return _("The Permanent Assembly did not adopt the admission: %(why)s.") % {"why": why}


def application_admit(*, application: Application, actor, on: datetime.date):
    """Admit an operational applicant after the assembly adopted its admission.

    Creates (or reuses, by email) the member and its login and an active operational membership
    (applied on the submission day, admitted ``on``). A second call returns the same membership.
    When the email belongs to a login or a member whose owner has not confirmed the
    application, nothing is enrolled yet: the application waits for the owner
    (``awaiting_confirmation``), whose confirmation admits it; returns None then.
    """
    with transaction.atomic():
        app = _lock(application)
        if app.status == Application.Status.ADMITTED:
            return app.membership
        if app.status == Application.Status.AWAITING_CONFIRMATION and _admitted_by_assembly(app):
            return None  # admitted already, waiting for the email's owner
        if app.status != Application.Status.AWAITING_ASSEMBLY:
            raise DomainError(
                _("Only an application awaiting the assembly can be admitted; this one is %s.")
                % app.get_status_display()
            )
        if _owner_must_confirm(app):
            _ask_owner(app, actor)
            membership = None
        elif _admitted_already(app, actor):
            membership = None
        else:
            membership = _enrol(app, actor=actor, on=on)
            _transition(app, to=Application.Status.ADMITTED, actor=actor)
    application.refresh_from_db()
    return membership


def operational_membership_held(app: Application) -> Membership | None:
    """The open operational membership, admitted already (not pending), of the member whose
    email the application gives: an operational member applying again (lapsed, say), or
    admitted meanwhile through another application."""
    return (
        Membership.objects.filter(
            member__email__iexact=app.email,
            type=Membership.Type.OPERATIONAL,
            ended_on__isnull=True,
        )
        .exclude(status=Membership.Status.PENDING)
        .first()
    )


def _admitted_already(app: Application, actor) -> bool:
    """The assembly adopted the admission of a member who holds an operational membership
    already: nothing new is made, the application closes saying why, and the proposal's
    close goes through (it would otherwise be refused at every attempt, and stay open)."""
    if operational_membership_held(app) is None:
        return False
    _transition(
        app,
        to=Application.Status.NOT_ADMITTED,
        actor=actor,
        reason_code="admitted_already",
    )
    return True


def _admitted_by_assembly(app: Application) -> bool:
    """Whether ``app`` waits for its email's owner after the assembly adopted its admission
    (rather than after the steward's approval, before the assembly)."""
    asked = (
        app.decisions.filter(status_to=Application.Status.AWAITING_CONFIRMATION)
        .order_by("-decided_at", "-id")
        .first()
    )
    return asked is not None and asked.status_from == Application.Status.AWAITING_ASSEMBLY


def application_close_not_admitted(
    *,
    application: Application,
    actor,
    reason: str = "",
    outcome_code: str = "",
    outcome_params: dict | None = None,
) -> None:
    """Close an operational application whose admission the assembly did not adopt: why is
    the proposal's outcome (its code and parameters), else ``reason`` in words."""
    with transaction.atomic():
        app = _lock(application)
        if app.status == Application.Status.NOT_ADMITTED:
            return
        if app.status != Application.Status.AWAITING_ASSEMBLY:
            raise DomainError(
                _("Only an application awaiting the assembly can be closed; this one is %s.")
                % app.get_status_display()
            )
        _transition(
            app,
            to=Application.Status.NOT_ADMITTED,
            actor=actor,
            reason=reason,
            reason_code=NOT_ADOPTED if outcome_code else "",
            reason_params=(
                {"outcome": outcome_code, "outcome_params": outcome_params or {}}
                if outcome_code
                else {}
            ),
        )
    application.refresh_from_db()


# --- enrolment ---------------------------------------------------------------------------------


def _enrol(app: Application, *, actor, on: datetime.date):
    """The one code path from an application to a member, its login and a membership.

    An email that already belongs to a login or a member is joined to it only once its owner
    confirmed the application (``owner_confirmed_at``): nobody else's word attaches a
    membership, an invoice and terms acceptances to someone's account.
    """
    if _owner_must_confirm(app):
        raise DomainError(
            _(
                "This email belongs to a login or a member whose owner has not confirmed the "
                "application; it can't be joined to them yet."
            ),
            code=OWNER_MUST_CONFIRM,
        )
    member, _created = membership_services.member_get_or_create(
        kind=app.kind,
        name=app.name,
        organisation_name=app.organisation_name,
        email=app.email,
        country=app.country,
        language=app.language,
        actor=actor,
    )
    membership_services.contact_login_ensure(
        member=member, name=app.name, language=app.language, actor=actor
    )
    pending = Membership.objects.filter(
        member=member, type=app.type, status=Membership.Status.PENDING, ended_on__isnull=True
    ).first()
    if pending is not None and app.type == Application.Type.OPERATIONAL:
        # An operational membership added in the admin waits as pending for this admission.
        membership_services.membership_admit(
            membership=pending,
            on=on,
            actor=actor,
            note=system_note("admitted_by_assembly"),
            # The commitment is the policy of the day the application was submitted.
            applied_on=timezone.localdate(app.submitted_at),
        )
        membership = pending
    else:
        membership = membership_services.membership_create(
            member=member,
            type=app.type,
            steward=app.steward,
            service_level=app.service_level,
            status="active",
            applied_on=timezone.localdate(app.submitted_at),
            admitted_on=on,
            actor=actor,
            note=(
                system_note("admitted_by_assembly")
                if app.type == Application.Type.OPERATIONAL
                else system_note("application_approved", steward=str(app.steward))
            ),
        )
    membership_services.terms_acceptances_record(
        member=member, versions=app.accepted_terms.all(), accepted_at=app.submitted_at
    )
    app.member = member
    app.membership = membership
    return membership
