"""An email that is already someone's: its owner confirms that an application is theirs, or
says it is not.

Approving an application whose email already belongs to a login or a member (or the
assembly adopting such an operational admission) would join a membership, an invoice and
terms acceptances to that person's account on the word of whoever typed the address. So
the application waits (``awaiting_confirmation``) and the address is sent a signed link
(``django.core.signing``, valid ``CONFIRMATION_MAX_AGE``). Knowing the link is enough to
answer; nothing else is asked. Confirming goes on with the decision that waited; "not
mine" closes the application (``disowned``).
"""

import datetime

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.mail import absolute_url
from membership.models import Membership
from membership.selectors import email_is_users

from ..models import Application
from .admission import (
    _admitted_already,
    _admitted_by_assembly,
    _enrol,
    _open_admission_proposal,
    operational_membership_held,
)
from .applications import _place_left
from .transitions import ALREADY_DECIDED, _enqueue, _ensure_may_decide, _lock, _transition

SALT = "resellers.application.owner"
CONFIRMATION_MAX_AGE = datetime.timedelta(days=14)
LINK_INVALID = "link_invalid"
LINK_EXPIRED = "link_expired"


def confirmation_token(application: Application) -> str:
    """The signed token of the link sent to ``application``'s email."""
    return signing.dumps({"a": application.pk, "e": application.email.lower()}, salt=SALT)


def confirmation_url(application: Application) -> str:
    return absolute_url("resellers:confirm", kwargs={"token": confirmation_token(application)})


def application_by_token(token: str) -> Application:
    """The application a link is for; ``DomainError`` (``link_invalid``, ``link_expired``)
    when the link was not made here, was changed, or is too old."""
    try:
        data = signing.loads(token, salt=SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError(
            _(
                "This link has expired. If you applied, ask the steward to send you a new "
                "one; nothing has been joined to your account."
            ),
            code=LINK_EXPIRED,
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError(
            _("This link is not valid. Open the link from the email exactly as it was sent."),
            code=LINK_INVALID,
        ) from exc
    application = (
        Application.objects.select_related("steward", "service_level").filter(pk=data["a"]).first()
    )
    if application is None or application.email.lower() != data["e"]:
        raise DomainError(_("This link is not valid any more."), code=LINK_INVALID)
    return application


def _owners_login(app: Application, actor):
    """``actor`` when it is a login whose email (or one of its addresses) is ``app``'s, else
    None. Whoever holds the link answers as the email's owner, whichever login the browser
    happens to be signed in as: that login is not recorded as having decided (the page tells
    it so), and its email is never shown to the steward's admins as the one who decided."""
    if getattr(actor, "pk", None) and email_is_users(email=app.email, user=actor):
        return actor
    return None


def _not_waiting(app: Application) -> DomainError:
    return DomainError(
        _("This application is no longer waiting for your answer; it is %(status)s.")
        % {"status": app.get_status_display()},
        code=ALREADY_DECIDED,
    )


def application_owner_confirm(
    *, application: Application, actor=None, on: datetime.date | None = None
) -> Application:
    """The email's owner confirms the application is theirs: the decision that waited for
    them goes on, in the name of the admin who took it.

    A user application is approved (member, login, membership, first invoice), or put on
    the waiting list if its level filled meanwhile. An operational one goes to the Permanent
    Assembly, or is admitted when the assembly had adopted its admission already. A second
    confirmation changes nothing.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        app = _lock(application)
        if app.owner_confirmed_at is not None and app.status != app.Status.AWAITING_CONFIRMATION:
            return app
        if app.status != app.Status.AWAITING_CONFIRMATION:
            raise _not_waiting(app)
        app.owner_confirmed_at = timezone.now()
        app.save(update_fields=["owner_confirmed_at"])
        audit_log(
            actor=_owners_login(app, actor),
            action="resellers.application.owner_confirmed",
            obj=app,
        )
        approver = app.decided_by  # whose approval (or whose closing of the vote) waited
        if app.type == Application.Type.USER:
            if _place_left(app):
                _enrol(app, actor=approver, on=on)
                _transition(app, to=Application.Status.APPROVED, actor=approver)
            else:
                _transition(
                    app,
                    to=Application.Status.WAITLISTED,
                    actor=approver,
                    reason_code="owner_confirmed_level_full",
                )
        elif _admitted_by_assembly(app):
            if not _admitted_already(app, approver):
                _enrol(app, actor=approver, on=on)
                _transition(app, to=Application.Status.ADMITTED, actor=approver)
        elif (held := operational_membership_held(app)) is not None:
            # An operational member applying again: refused, as for a user membership held.
            raise DomainError(
                _("%(member)s already holds a %(type)s membership.")
                % {"member": held.member, "type": Membership.Type.OPERATIONAL.label},
                code="membership_exists",
            )
        else:
            _transition(app, to=Application.Status.AWAITING_ASSEMBLY, actor=approver)
            transaction.on_commit(lambda: _open_admission_proposal(app, approver))
    application.refresh_from_db()
    return application


def application_owner_disown(*, application: Application, actor=None) -> Application:
    """The email's owner says the application is not theirs: it is closed, nothing is joined
    to their account. A second answer changes nothing."""
    with transaction.atomic():
        app = _lock(application)
        if app.status == app.Status.DISOWNED:
            return app
        if app.status != app.Status.AWAITING_CONFIRMATION:
            raise _not_waiting(app)
        _transition(
            app,
            to=Application.Status.DISOWNED,
            actor=_owners_login(app, actor),
            reason_code="owner_disowned",
        )
    application.refresh_from_db()
    return application


def application_confirmation_resend(*, application: Application, actor) -> bool:
    """Send the link to the email's owner again (a new link, valid from now). Returns
    whether it was sent: only an application awaiting its owner has one."""
    if application.status != Application.Status.AWAITING_CONFIRMATION:
        return False
    _ensure_may_decide(application, actor)
    audit_log(actor=actor, action="resellers.application.confirmation_resent", obj=application)
    transaction.on_commit(
        lambda: _enqueue("application_confirmation_send", application), robust=True
    )
    return True
