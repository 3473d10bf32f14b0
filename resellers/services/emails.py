"""The emails of applications (called by the tasks, each sent once): the submission notice,
the decision notice, and the link where a new login sets its password."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from meetcoop.core.mail import absolute_url, send_templated_email

from ..models import Application

logger = logging.getLogger(__name__)

# The address of an open application is told of a second one at most this often.
DUPLICATE_TOLD_EVERY = datetime.timedelta(days=1)


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
    for email, language in _admin_recipients(app.steward, admins):
        _send_logged(
            "admin_notice", to=email, language=language, context={**context, "admin_url": admin_url}
        )
    return True


def _admin_recipients(steward, admins) -> list[tuple[str, str]]:
    """Who is told of a new application, as (email, language): the steward's active admins,
    each in their own language; a steward without one, at its contact email in its first
    language (as for a concern about its service), so that an application never waits
    unseen."""
    if admins:
        return [(admin.email, admin.language or settings.LANGUAGE_CODE) for admin in admins]
    if steward.contact_email:
        return [(steward.contact_email, (steward.languages or [settings.LANGUAGE_CODE])[0])]
    return []


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
    context = {
        "application": app,
        "steward": app.steward,
        "password_url": "",
        "decision_reason": _decision_reason(app),
    }
    if app.status == Application.Status.AWAITING_CONFIRMATION:
        context.update(_confirmation_context(app))
    if app.status in (Application.Status.APPROVED, Application.Status.ADMITTED):
        user = User.objects.filter(email__iexact=app.email).first()
        if user is not None and not user.has_usable_password():
            context["password_url"] = password_set_url(user)
        context["login_url"] = absolute_url("account_login")
    _send_logged(f"decision_{app.status}", to=app.email, language=app.language, context=context)
    return True


def _decision_reason(app: Application) -> str:
    """The reason the decision email gives, in the applicant's language: the system's reason
    from its code; a closed vote stored as words (before codes were), worded again from the
    proposal's outcome; else the words a steward admin typed."""
    from governance.models import Proposal

    from .admission import admission_refused_reason

    with translation.override(app.language or settings.LANGUAGE_CODE):
        if app.decision_reason_code:
            return app.decision_reason_words
        if app.status == Application.Status.NOT_ADMITTED:
            proposal = Proposal.objects.filter(
                admission_application_id=app.pk, outcome=Proposal.Outcome.REJECTED
            ).first()
            if proposal is not None:
                return admission_refused_reason(proposal.outcome_text)
    return app.decision_reason


def application_confirmation_send(*, application_id: int) -> bool:
    """Send the link to the email's owner again (the admin's "send again"), while the
    application waits for them."""
    app = Application.objects.select_related("steward", "service_level").get(pk=application_id)
    if app.status != Application.Status.AWAITING_CONFIRMATION:
        return False
    context = {"application": app, "steward": app.steward, **_confirmation_context(app)}
    _send_logged(f"decision_{app.status}", to=app.email, language=app.language, context=context)
    return True


def application_duplicate_notify(*, application_id: int) -> bool:
    """Tell the address of an open application that another one was sent with it to the same
    steward, and that the first one was kept (the public form says nothing about it).

    At most once a day per application (``DUPLICATE_TOLD_EVERY``), marked as the other
    notices are: the task run twice writes once, and a form sent again and again with
    someone's address does not fill their mailbox."""
    now = timezone.now()
    with transaction.atomic():
        app = _lock_by_id(application_id)
        if app is None:
            return False
        told = app.duplicate_notified_at
        if told is not None and now - told < DUPLICATE_TOLD_EVERY:
            return False
        app.duplicate_notified_at = now
        app.save(update_fields=["duplicate_notified_at"])
    context = {"application": app, "steward": app.steward, "now": now}
    _send_logged("duplicate", to=app.email, language=app.language, context=context)
    return True


def _confirmation_context(app) -> dict:
    from .ownership import CONFIRMATION_MAX_AGE, confirmation_url

    return {"confirm_url": confirmation_url(app), "confirm_days": CONFIRMATION_MAX_AGE.days}


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


def _lock_by_id(application_id: int) -> Application | None:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("steward", "service_level")
        .filter(pk=application_id)
        .first()
    )
