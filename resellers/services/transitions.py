"""The shared steps of every decision on an application.

Lock the row, check the status first (a decision already taken is reported, never repeated),
record the transition (an :class:`ApplicationDecision` and an audit entry) and send its email
from a Celery task after the transaction commits.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_coop_admin
from membership import services as membership_services
from membership.selectors import email_in_use

from ..models import Application, ApplicationDecision

# The code of the refusal "someone decided this application already; nothing was changed".
ALREADY_DECIDED = "already_decided"
# The code of the refusal "this email is someone's, who has not said the application is theirs".
OWNER_MUST_CONFIRM = "owner_must_confirm"


def _ensure_may_decide(app: Application, actor) -> None:
    """Only a co-op admin or an active admin of the application's own steward decides it:
    checked here as well as by the admin's scoping, so that no other way in (a view, a
    command, a crafted admin action) decides for a steward that is not the actor's."""
    if is_coop_admin(actor):
        return
    if getattr(actor, "is_active", False) and app.steward.admins.filter(pk=actor.pk).exists():
        return
    raise PermissionDenied(
        _("Only the admins of %(steward)s decide its applications.") % {"steward": app.steward}
    )


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("steward")
        .get(pk=application.pk)
    )


def _already_message(app: Application) -> str:
    who = app.decided_by.email if app.decided_by_id else _("someone")
    return _("%(application)s was already decided (%(status)s, by %(who)s); nothing changed.") % {
        "application": app.display_name,
        "status": app.get_status_display(),
        "who": who,
    }


def _ensure_undecided(app: Application, allowed=Application.UNDECIDED) -> None:
    if app.status not in allowed:
        raise DomainError(_already_message(app), code=ALREADY_DECIDED)


def _owner_must_confirm(app: Application) -> bool:
    """Whether ``app``'s email already belongs to a login or a member whose owner has not
    said the application is theirs. Takes the email's lock first (held until commit), so two
    decisions on one new email at once can't both find it new."""
    membership_services.member_email_lock(app.email)
    return app.owner_confirmed_at is None and email_in_use(email=app.email)


def _ask_owner(app: Application, actor) -> None:
    """Wait for the email's owner: the decision email carries the link where they answer."""
    _transition(
        app,
        to=Application.Status.AWAITING_CONFIRMATION,
        actor=actor,
        reason_code="owner_asked",
    )


def _transition(
    app: Application,
    *,
    to: str,
    actor,
    reason: str = "",
    reason_code: str = "",
    reason_params: dict | None = None,
) -> None:
    """``reason``: the words a person typed; ``reason_code`` (with its ``reason_params``):
    what the system says, worded in each reader's language (``resellers.reasons``)."""
    now = timezone.now()
    old = app.status
    reason_params = reason_params or {}
    app.status = to
    app.decided_at = now
    app.decided_by = actor if getattr(actor, "pk", None) else None
    app.decision_reason = reason
    app.decision_reason_code = reason_code
    app.decision_reason_params = reason_params
    app.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_reason",
            "decision_reason_code",
            "decision_reason_params",
            "member",
            "membership",
        ]
    )
    ApplicationDecision.objects.create(
        application=app,
        status_from=old,
        status_to=to,
        reason=reason,
        reason_code=reason_code,
        reason_params=reason_params,
        decided_by=app.decided_by,
        decided_at=now,
    )
    audit_log(
        actor=actor,
        action=f"resellers.application.{to}",
        obj=app,
        data={"from": old, "to": to, "reason": reason or reason_code},
    )
    # robust: a mail server that is down must not undo or hide a decision already committed.
    transaction.on_commit(lambda: _enqueue("application_decision_notify", app), robust=True)


def _enqueue(task_name: str, app: Application) -> None:
    from .. import tasks

    getattr(tasks, task_name).delay(app.pk)
