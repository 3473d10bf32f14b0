"""Writes of the resellers app: applications, from submission to a decision.

Every state change locks the application row, checks its status first (a decision already
taken is reported, never repeated), appends an :class:`ApplicationDecision`, writes an audit
entry, and sends its emails from a Celery task after the transaction commits.
"""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Proposal
from governance.services import admission_proposal_open
from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.mail import absolute_url, send_templated_email
from membership import services as membership_services
from membership.models import Membership
from membership.selectors import policy_in_force, terms_in_force

from .models import Application, ApplicationDecision, Steward, StewardOffer
from .selectors import offer_free_places, pledge_percent

ZERO = Decimal("0")


logger = logging.getLogger(__name__)


# The code of the refusal "someone decided this application already; nothing was changed".
ALREADY_DECIDED = "already_decided"


# --- submission --------------------------------------------------------------------------------


def application_submit(
    *,
    steward: Steward,
    kind: str,
    name: str,
    organisation_name: str = "",
    email: str,
    country: str,
    language: str,
    type: str,
    service_level=None,
    pledge_money: Decimal = ZERO,
    pledge_hours: Decimal = ZERO,
    pledge_resources_value: Decimal = ZERO,
    pledge_resources_description: str = "",
    statement: str = "",
    accepted_terms=(),
    now: datetime.datetime | None = None,
    actor=None,
) -> Application:
    """Take an application for ``steward``. A full level keeps it on the waiting list.

    Refused (``DomainError`` naming the field) when the steward takes no applications,
    does not offer the level, the email already has an open application there, an operational
    pledge is under 100 % of the commitment in force today, or the current terms are not all
    accepted.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    email = email.strip().lower()
    if not steward.accepting_applications:
        raise DomainError(_("This steward is not taking applications at the moment."))

    is_user = type == Application.Type.USER
    if is_user:
        if service_level is None:
            raise DomainError(_("Choose a service level."), field="service_level")
        free = offer_free_places(steward=steward, service_level=service_level)
        if free is None:
            raise DomainError(
                _("%(steward)s does not offer the %(level)s level.")
                % {"steward": steward.name, "level": service_level.name},
                field="service_level",
            )
        pledge_money = pledge_hours = pledge_resources_value = ZERO
        pledge_resources_description = ""
        try:  # a user's pledge is empty; it is in the co-op's currency all the same
            currency = policy_in_force(on=today).currency
        except DomainError:  # no policy yet: user applications are still taken
            currency = Application._meta.get_field("pledge_currency").default
    else:
        service_level = None
        policy = policy_in_force(on=today)
        currency = policy.currency
        percent = pledge_percent(
            policy=policy,
            money=pledge_money,
            hours=pledge_hours,
            resources=pledge_resources_value,
        )
        if percent < 100:
            raise DomainError(
                _(
                    "Your pledge covers %(percent)s %% of the commitment; it must reach 100 %% "
                    "(%(money)s %(currency)s, or %(hours)s hours, in any mix)."
                )
                % {
                    "percent": percent,
                    "money": policy.commitment_money,
                    "currency": policy.currency,
                    "hours": policy.commitment_hours.normalize(),
                },
                field="pledge_money",
            )
        if pledge_resources_value > 0 and not pledge_resources_description.strip():
            raise DomainError(
                _("Say which resources you pledge."), field="pledge_resources_description"
            )
        if not statement.strip():
            raise DomainError(_("Tell the members why you want to join."), field="statement")
        free = None

    current = terms_in_force(at=now)
    accepted = {version.pk for version in accepted_terms}
    missing = [version for version in current.values() if version.pk not in accepted]
    if missing:
        raise DomainError(
            _("Please accept the current %(document)s (version %(version)s).")
            % {"document": missing[0].get_document_display(), "version": missing[0].version},
            field="accept_terms",
        )

    status = Application.Status.SUBMITTED
    if is_user and free is not None and free <= 0:
        status = Application.Status.WAITLISTED
    duplicate = _("You already have an open application with this steward, under this email.")
    if Application.objects.filter(
        steward=steward, email__iexact=email, status__in=Application.OPEN
    ).exists():
        raise DomainError(duplicate, field="email")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                steward=steward,
                status=status,
                submitted_at=now,
                kind=kind,
                name=name.strip(),
                organisation_name=organisation_name.strip() if kind == "organisation" else "",
                email=email,
                country=country,
                language=language,
                type=type,
                service_level=service_level,
                pledge_money=pledge_money,
                pledge_currency=currency,
                pledge_hours=pledge_hours,
                pledge_resources_value=pledge_resources_value,
                pledge_resources_description=pledge_resources_description.strip(),
                statement=statement.strip(),
                decision_notified_status=status,
            )
            application.accepted_terms.set(current.values())
            ApplicationDecision.objects.create(
                application=application,
                status_from="",
                status_to=status,
                reason=_("The level is full; the application waits for a place.")
                if status == Application.Status.WAITLISTED
                else "",
                decided_at=now,
            )
            audit_log(
                actor=actor,
                action="resellers.application.submitted",
                obj=application,
                data={"status": status, "type": type},
            )
            transaction.on_commit(
                lambda: _enqueue("application_submission_notify", application), robust=True
            )
    except IntegrityError as exc:  # two submissions racing: the constraint keeps one
        raise DomainError(duplicate, field="email") from exc
    return application


# --- decisions by the steward's admins ----------------------------------------------------------


def application_approve(
    *, application: Application, actor, on: datetime.date | None = None
) -> Application:
    """Approve an application.

    A user application becomes a member, its login (invited to set a password), an active user
    membership at the level and steward, and the first dues invoice. An operational one waits
    for the Permanent Assembly (``awaiting_assembly``) and the admission proposal is opened.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        app = _lock(application)
        _ensure_undecided(app)
        if app.type == Application.Type.USER:
            offer = (
                StewardOffer.objects.select_for_update()
                .filter(steward_id=app.steward_id, service_level_id=app.service_level_id)
                .first()
            )
            if offer is None:
                raise DomainError(
                    _("%(steward)s no longer offers this level.") % {"steward": app.steward}
                )
            free = offer_free_places(steward=app.steward, service_level=app.service_level)
            if not free:
                raise DomainError(
                    _(
                        "The %(level)s level is full at %(steward)s: raise its capacity or keep "
                        "the application on the waiting list."
                    )
                    % {"level": app.service_level, "steward": app.steward}
                )
            # membership_create sends membership_created: contributions issues the first
            # invoice in this transaction.
            _enrol(app, actor=actor, on=on)
            _transition(app, to=Application.Status.APPROVED, actor=actor)
        else:
            _transition(app, to=Application.Status.AWAITING_ASSEMBLY, actor=actor)
            transaction.on_commit(lambda: _open_admission_proposal(app, actor))
    application.refresh_from_db()
    return application


def application_reject(*, application: Application, actor, reason: str) -> Application:
    """Refuse an application; the reason is required and is sent to the applicant."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for refusing."), field="reason")
    with transaction.atomic():
        app = _lock(application)
        _ensure_undecided(app)
        _transition(app, to=Application.Status.REJECTED, actor=actor, reason=reason)
    application.refresh_from_db()
    return application


def application_waitlist(*, application: Application, actor, reason: str = "") -> Application:
    """Put a pending application on the waiting list."""
    with transaction.atomic():
        app = _lock(application)
        if app.status != Application.Status.SUBMITTED:
            raise DomainError(_already_message(app), code=ALREADY_DECIDED)
        _transition(app, to=Application.Status.WAITLISTED, actor=actor, reason=reason.strip())
    application.refresh_from_db()
    return application


# --- admission of operational members (called by governance when the proposal closes) ----------


def application_admit(*, application: Application, actor, on: datetime.date):
    """Admit an operational applicant after the assembly adopted its admission.

    Creates (or reuses, by email) the member and its login and an active operational membership
    (applied on the submission day, admitted ``on``). A second call returns the same membership.
    """
    with transaction.atomic():
        app = _lock(application)
        if app.status == Application.Status.ADMITTED:
            return app.membership
        if app.status != Application.Status.AWAITING_ASSEMBLY:
            raise DomainError(
                _("Only an application awaiting the assembly can be admitted; this one is %s.")
                % app.get_status_display()
            )
        membership = _enrol(app, actor=actor, on=on)
        _transition(app, to=Application.Status.ADMITTED, actor=actor)
    application.refresh_from_db()
    return membership


def application_close_not_admitted(*, application: Application, actor, reason: str) -> None:
    """Close an operational application whose admission the assembly did not adopt."""
    with transaction.atomic():
        app = _lock(application)
        if app.status == Application.Status.NOT_ADMITTED:
            return
        if app.status != Application.Status.AWAITING_ASSEMBLY:
            raise DomainError(
                _("Only an application awaiting the assembly can be closed; this one is %s.")
                % app.get_status_display()
            )
        _transition(app, to=Application.Status.NOT_ADMITTED, actor=actor, reason=reason)
    application.refresh_from_db()


# --- emails (called by the tasks) ---------------------------------------------------------------


def application_submission_notify(*, application_id: int) -> bool:
    """Confirm the application to the applicant and tell the steward's admins. Sent once.

    The notice is marked sent in a short transaction first and the emails go out after it
    commits: no lock is held while a mail server answers, a second run sends nothing, and a
    failing address is logged without stopping the others or mailing anyone twice.
    """
    with transaction.atomic():
        app = _lock_by_id(application_id)
        if app is None or app.submission_notified_at:
            return False
        app.submission_notified_at = timezone.now()
        app.save(update_fields=["submission_notified_at"])
        admins = list(app.steward.admins.filter(is_active=True))
    context = {"application": app, "steward": app.steward}
    _send_logged("submitted", to=app.email, language=app.language, context=context)
    admin_url = absolute_url("admin:resellers_application_change", args=[app.pk])
    for admin in admins:
        _send_logged(
            "admin_notice",
            to=admin.email,
            language=admin.language or settings.LANGUAGE_CODE,
            context={**context, "admin_url": admin_url},
        )
    return True


def application_decision_notify(*, application_id: int) -> bool:
    """Tell the applicant the decision (with a link to set a password if a login was made).
    Marked sent first, sent after the commit, as above."""
    from meetcoop.users.models import User

    with transaction.atomic():
        app = _lock_by_id(application_id)
        if app is None or app.decision_notified_status == app.status:
            return False
        app.decision_notified_status = app.status
        app.save(update_fields=["decision_notified_status"])
    context = {"application": app, "steward": app.steward, "password_url": ""}
    if app.status in (Application.Status.APPROVED, Application.Status.ADMITTED):
        user = User.objects.filter(email__iexact=app.email).first()
        if user is not None and not user.has_usable_password():
            context["password_url"] = password_set_url(user)
        context["login_url"] = absolute_url("account_login")
    _send_logged(f"decision_{app.status}", to=app.email, language=app.language, context=context)
    return True


def _send_logged(template: str, *, to: str, language: str, context: dict) -> None:
    """Send ``resellers/email/<template>``; a failure is logged, not raised."""
    try:
        send_templated_email(
            template=f"resellers/email/{template}", to=to, language=language, context=context
        )
    except Exception:  # one unreachable address must not stop the other emails
        logger.exception("Email %s to %s was not sent.", template, to)


def password_set_url(user) -> str:
    """An absolute link where ``user`` sets a password (allauth's password-reset-by-key page)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    return absolute_url(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )


# --- helpers -------------------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("steward")
        .get(pk=application.pk)
    )


def _lock_by_id(application_id: int) -> Application | None:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("steward", "service_level")
        .filter(pk=application_id)
        .first()
    )


def _already_message(app: Application) -> str:
    who = app.decided_by.email if app.decided_by_id else _("someone")
    return _("%(application)s was already decided (%(status)s, by %(who)s); nothing changed.") % {
        "application": app.display_name,
        "status": app.get_status_display(),
        "who": who,
    }


def _ensure_undecided(app: Application) -> None:
    if app.status not in Application.UNDECIDED:
        raise DomainError(_already_message(app), code=ALREADY_DECIDED)


def _transition(app: Application, *, to: str, actor, reason: str = "") -> None:
    now = timezone.now()
    old = app.status
    app.status = to
    app.decided_at = now
    app.decided_by = actor if getattr(actor, "pk", None) else None
    app.decision_reason = reason
    app.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_reason",
            "member",
            "membership",
        ]
    )
    ApplicationDecision.objects.create(
        application=app,
        status_from=old,
        status_to=to,
        reason=reason,
        decided_by=app.decided_by,
        decided_at=now,
    )
    audit_log(
        actor=actor,
        action=f"resellers.application.{to}",
        obj=app,
        data={"from": old, "to": to, "reason": reason},
    )
    # robust: a mail server that is down must not undo or hide a decision already committed.
    transaction.on_commit(lambda: _enqueue("application_decision_notify", app), robust=True)


def _enrol(app: Application, *, actor, on: datetime.date):
    """The one code path from an application to a member, its login and a membership."""
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
            note=_("Admitted by the Permanent Assembly."),
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
        )
    membership_services.terms_acceptances_record(
        member=member, versions=app.accepted_terms.all(), accepted_at=app.submitted_at
    )
    app.member = member
    app.membership = membership
    return membership


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


def admission_decided(*, application_id: int, adopted: bool, reason: str, actor, on):
    """The Permanent Assembly decided the admission of ``application_id``: admit the applicant,
    or close the application with the outcome. Runs inside the proposal's close (see
    ``governance.signals.admission_decided``); a ``DomainError`` here rolls the close back."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        raise DomainError(_("The application this proposal admits no longer exists."))
    if adopted:
        return application_admit(application=application, actor=actor, on=on)
    return application_close_not_admitted(
        application=application,
        actor=actor,
        reason=_("The Permanent Assembly did not adopt the admission: %(why)s.") % {"why": reason},
    )


def _enqueue(task_name: str, app: Application) -> None:
    from . import tasks

    getattr(tasks, task_name).delay(app.pk)
