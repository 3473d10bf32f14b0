"""Applications: the submission, and the decisions of the steward's admins (approve, reject,
waitlist)."""

import dataclasses
import datetime
import json
from decimal import Decimal

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.emails import email_canonical
from meetcoop.core.errors import DomainError
from membership.selectors import policy_in_force, terms_in_force

from ..models import Application, ApplicationDecision, Steward, StewardOffer
from ..selectors import offer_free_places, pledge_percent
from .admission import _enrol, _open_admission_proposal
from .transitions import (
    ALREADY_DECIDED,
    _already_message,
    _ask_owner,
    _enqueue,
    _ensure_may_decide,
    _ensure_undecided,
    _lock,
    _owner_must_confirm,
    _transition,
)

ZERO = Decimal("0")
# The code of the refusal "this email has an open application at this steward already".
DUPLICATE = "duplicate"


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
    email = email_canonical(email)  # one spelling per mailbox (meetcoop.core.emails)
    if len(email) > Application._meta.get_field("email").max_length:  # "ﬃ" is "ffi"
        raise DomainError(_("This email address is too long."), field="email")
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
                    "hours": f"{policy.commitment_hours.normalize():f}",  # 40, not 4E+1
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
        raise DomainError(duplicate, field="email", code=DUPLICATE)
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
                decision_reason_code="level_full"
                if status == Application.Status.WAITLISTED
                else "",
            )
            application.accepted_terms.set(current.values())
            ApplicationDecision.objects.create(
                application=application,
                status_from="",
                status_to=status,
                reason_code="level_full" if status == Application.Status.WAITLISTED else "",
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
        raise DomainError(duplicate, field="email", code=DUPLICATE) from exc
    return application


@dataclasses.dataclass(frozen=True)
class Receipt:
    """What the public form answers to whoever sent it, made only of what they sent (and
    whether the level is full, which the form shows anyway): the same answer whether the
    email was new, had an open application there already, or belongs to a member."""

    steward: Steward
    type: str
    service_level: object
    status: str
    email: str

    def dumps(self) -> str:
        """The receipt as cookie-safe text (base64 of its JSON)."""
        data = {
            "steward": self.steward.pk,
            "type": self.type,
            "level": self.service_level.pk if self.service_level else None,
            "status": self.status,
            "email": self.email,
        }
        return signing.b64_encode(json.dumps(data).encode()).decode()

    @classmethod
    def loads(cls, text: str | None, *, slug: str) -> "Receipt | None":
        """The receipt ``dumps`` wrote, for the steward ``slug``; None when there is none."""
        from membership.models import ServiceLevel

        try:
            data = json.loads(signing.b64_decode((text or "").encode()))
            steward = Steward.objects.filter(pk=data["steward"], slug=slug).first()
            level = ServiceLevel.objects.filter(pk=data["level"]).first() if data["level"] else None
            receipt = cls(steward, data["type"], level, data["status"], data["email"])
        except (ValueError, TypeError, KeyError):
            return None
        return receipt if steward is not None else None


def application_receive(**submission) -> Receipt:
    """Take the public form's submission (``application_submit``'s arguments).

    When the email already has an open application at this steward, nothing new is made (one
    open application per email per steward): the address is told so by email, and the form
    answers exactly as it does for a new application, so the page tells nobody whether an
    email is known. Every other refusal is raised as ``application_submit`` raises it.
    """
    try:
        application = application_submit(**submission)
    except DomainError as error:
        if error.code != DUPLICATE:
            raise
        steward, email = submission["steward"], email_canonical(submission["email"])
        first = Application.objects.filter(
            steward=steward, email__iexact=email, status__in=Application.OPEN
        ).first()
        if first is not None:
            audit_log(actor=None, action="resellers.application.duplicate", obj=first)
            transaction.on_commit(
                lambda: _enqueue("application_duplicate_notify", first), robust=True
            )
        level = submission.get("service_level") if submission["type"] == "user" else None
        full = level is not None and not offer_free_places(steward=steward, service_level=level)
        status = Application.Status.WAITLISTED if full else Application.Status.SUBMITTED
        return Receipt(steward, submission["type"], level, status, email)
    return Receipt(
        application.steward,
        application.type,
        application.service_level,
        application.status,
        application.email,
    )


# --- decisions by the steward's admins ----------------------------------------------------------


def application_approve(
    *, application: Application, actor, on: datetime.date | None = None
) -> Application:
    """Approve an application.

    A user application becomes a member, its login (invited to set a password), an active user
    membership at the level and steward, and the first dues invoice. An operational one waits
    for the Permanent Assembly (``awaiting_assembly``) and the admission proposal is opened.

    When the email already belongs to a login or a member, none of that happens yet: the
    application waits for the email's owner (``awaiting_confirmation``), who is sent a link
    to confirm it is theirs (``application_owner_confirm`` then goes on) or to say it is not.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        app = _lock(application)
        _ensure_may_decide(app, actor)
        _ensure_undecided(app)
        if app.type == Application.Type.USER:
            _ensure_place(app)
            if _owner_must_confirm(app):
                _ask_owner(app, actor)
            else:
                # membership_create sends membership_created: contributions issues the first
                # invoice in this transaction.
                _enrol(app, actor=actor, on=on)
                _transition(app, to=Application.Status.APPROVED, actor=actor)
        elif _owner_must_confirm(app):
            _ask_owner(app, actor)
        else:
            _transition(app, to=Application.Status.AWAITING_ASSEMBLY, actor=actor)
            transaction.on_commit(lambda: _open_admission_proposal(app, actor))
    application.refresh_from_db()
    return application


def _place_left(app: Application) -> bool:
    """Whether ``app``'s level has a free place at its steward, the offer locked meanwhile
    (two admins can't both take the last place). Refused when the level is no longer offered.
    """
    offer = (
        StewardOffer.objects.select_for_update(of=("self",))
        .filter(steward_id=app.steward_id, service_level_id=app.service_level_id)
        .order_by()  # the default ordering joins the level and the steward: lock neither
        .first()
    )
    if offer is None:
        raise DomainError(_("%(steward)s no longer offers this level.") % {"steward": app.steward})
    return bool(offer_free_places(steward=app.steward, service_level=app.service_level))


def _ensure_place(app: Application) -> None:
    if not _place_left(app):
        raise DomainError(
            _(
                "The %(level)s level is full at %(steward)s: raise its capacity or keep "
                "the application on the waiting list."
            )
            % {"level": app.service_level, "steward": app.steward}
        )


def application_reject(*, application: Application, actor, reason: str) -> Application:
    """Refuse an application; the reason is required and is sent to the applicant."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for refusing."), field="reason")
    with transaction.atomic():
        app = _lock(application)
        _ensure_may_decide(app, actor)
        _ensure_undecided(app, allowed=Application.REJECTABLE)
        _transition(app, to=Application.Status.REJECTED, actor=actor, reason=reason)
    application.refresh_from_db()
    return application


def application_waitlist(*, application: Application, actor, reason: str = "") -> Application:
    """Put a pending application on the waiting list."""
    with transaction.atomic():
        app = _lock(application)
        _ensure_may_decide(app, actor)
        if app.status != Application.Status.SUBMITTED:
            raise DomainError(_already_message(app), code=ALREADY_DECIDED)
        _transition(app, to=Application.Status.WAITLISTED, actor=actor, reason=reason.strip())
    application.refresh_from_db()
    return application
