"""Status emails: each change and each at-risk cause told to the member once."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from meetcoop.core.mail import absolute_url, send_templated_email

from ..models import StatusChange, StatusNotice, StatusRun
from ..reasons import reason_advice, reason_text


def _send_status_email(*, membership, kind: str, reasons: list[dict]) -> None:
    """One status email, in the member's language. A mail server that refuses raises, so the
    caller's transaction rolls back and the email is tried again on the next run."""
    member = membership.member
    language = member.language or settings.LANGUAGE_CODE
    with translation.override(language):  # the reasons are worded in the member's language
        reasons = [{"text": reason_text(r), "advice": reason_advice(r), **r} for r in reasons]
    send_templated_email(
        template="membership/email/status",
        to=member.email,
        language=language,
        context={
            "kind": kind,
            "member": member,
            "membership": membership,
            "reasons": reasons,
            # The member's own page (the standing app's ``/me/``: a URL name, not an import).
            "dashboard_url": absolute_url("standing:dashboard"),
        },
    )


def status_notices_send(*, limit: int = 500) -> int:
    """Send the status emails not sent yet: to each member a run changed (from the run's
    change rows, past its high-water mark), then the queued notices (at risk, changes made by
    people). Safe to run twice or concurrently: each email is sent while its run or notice row
    is locked, and marked sent in the same short transaction."""
    sent = 0
    runs = (
        StatusRun.objects.filter(
            state=StatusRun.State.FINISHED, dry_run=False, changes__id__gt=F("notified_through")
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    for run_id in list(runs):
        while sent < limit:
            with transaction.atomic():
                run = (
                    StatusRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
                )
                if run is None:
                    break
                change = (
                    StatusChange.objects.filter(run_id=run_id, pk__gt=run.notified_through)
                    .select_related("membership__member")
                    .order_by("pk")
                    .first()
                )
                if change is None:
                    break
                _send_status_email(
                    membership=change.membership, kind="changed", reasons=change.reasons
                )
                run.notified_through = change.pk
                run.save(update_fields=["notified_through"])
                sent += 1
    pending = StatusNotice.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending[: max(limit - sent, 0)]):
        with transaction.atomic():
            notice = (
                StatusNotice.objects.select_for_update(skip_locked=True)
                .select_related("membership__member")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if notice is None:
                continue
            _send_status_email(
                membership=notice.membership, kind=notice.kind, reasons=notice.reasons
            )
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
            sent += 1
    return sent
