"""Reminders of unpaid dues (and pledges): an email before the due date and one before the
grace period ends, each sent once per invoice, to the member and its contacts, each in their
language.

How many days before is the policy's (``dues_reminder_days_before_due``,
``dues_reminder_days_before_grace_end``, and the grace itself ``dues_grace_days``), read from
the policy in force on the day of the run.

Each reminder is claimed by a conditional UPDATE (``... WHERE reminded_..._at IS NULL``) in
one short transaction, and its emails are sent after that commits: two runs at once, or the
same run twice, never send one reminder twice. The task that writes the emails marks each
invoice's email sent as it goes (``meetcoop.core.mail.send_once_each``): run again, by a
worker restarted mid-way, it writes only to those not written to yet.

An invoice's email counts as sent only for the addresses the mail server took: each is
recorded (``ReminderEmail``) in the transaction that marks the invoice. When the server
refuses one (or the send fails), the others are still written to and recorded, and the
invoice's email is left unmarked; the next run (the next night's, while the reminder is
still due and unpaid) writes to the refused address again, and to nobody twice.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from meetcoop.core.audit import audit_log
from meetcoop.core.banking import format_iban, format_rf
from meetcoop.core.languages import language_or_default
from meetcoop.core.mail import PartlySent, absolute_url, send_once_each, send_templated_email
from membership.models import Membership
from membership.selectors import policy_in_force

from ..models import DuesInvoice, PledgeInvoice, ReminderEmail
from ..selectors import invoices_with_paid
from ..selectors.invoices import pledge_invoices_with_paid
from .dues import BILLED_STATUSES

logger = logging.getLogger(__name__)

BEFORE_DUE = "before_due"
BEFORE_GRACE_END = "before_grace_end"
PLEDGE_BEFORE_DUE = "pledge_before_due"

# Which timestamp each kind of reminder claims, and which marks its email sent, on which model.
_CLAIMS = {
    BEFORE_DUE: (DuesInvoice, "reminded_before_due_at"),
    BEFORE_GRACE_END: (DuesInvoice, "reminded_before_grace_end_at"),
    PLEDGE_BEFORE_DUE: (PledgeInvoice, "reminded_before_due_at"),
}
_EMAILED = {
    BEFORE_DUE: "emailed_before_due_at",
    BEFORE_GRACE_END: "emailed_before_grace_end_at",
    PLEDGE_BEFORE_DUE: "emailed_before_due_at",
}


def _open_dues(*, on: datetime.date):
    """Unpaid dues invoices (payments made up to ``on`` below the amount) of billed user
    memberships."""
    invoices = DuesInvoice.objects.filter(
        membership__type=Membership.Type.USER, membership__status__in=BILLED_STATUSES
    )
    return invoices_with_paid(invoices, on=on).filter(paid__lt=F("amount"))


def _open_pledges(on: datetime.date):
    pledges = PledgeInvoice.objects.exclude(
        membership__status__in=[Membership.Status.ENDED, Membership.Status.SUSPENDED]
    )
    return pledge_invoices_with_paid(pledges, on=on).filter(paid__lt=F("amount"))


def _unsent(kind: str, candidates) -> list[int]:
    """The ``candidates`` whose reminder ``kind`` an earlier run claimed and whose email is
    not marked sent: the mail server refused some of its addresses (or the task that writes
    it has not run). Their email task is enqueued again; it writes only to those not yet
    written to."""
    model, field = _CLAIMS[kind]
    return list(
        candidates.filter(
            **{f"{field}__isnull": False, f"{_EMAILED[kind]}__isnull": True}
        ).values_list("pk", flat=True)
    )


def _claim(kind: str, candidates, *, now) -> list[int]:
    """Mark the reminder ``kind`` sent on the ``candidates`` not marked yet; the ids this
    call marked. A run racing this one waits on the rows, then finds them marked."""
    model, field = _CLAIMS[kind]
    ids = list(
        candidates.filter(**{f"{field}__isnull": True})
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    model.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
    # Only the rows this run marked (its own ``now``): another run's are its to send.
    return list(model.objects.filter(pk__in=ids, **{field: now}).values_list("pk", flat=True))


def dues_reminders_send(*, on: datetime.date | None = None) -> dict[str, int]:
    """Claim the reminders due on ``on`` and send their emails after commit:

    - before the due date: an unpaid invoice due between ``on`` and ``on`` + the policy's
      ``dues_reminder_days_before_due`` (both included);
    - before the grace period ends: an unpaid invoice whose last day of grace (due date +
      ``dues_grace_days``) is between ``on`` and ``on`` + ``dues_reminder_days_before_grace_end``;
    - a pledge invoice not fully paid, due between ``on`` and ``on`` + the days before due.

    Set-based: a few queries whatever the number of invoices. Returns how many invoices of
    each kind were claimed (running it again the same day claims none). The emails of those
    claimed by an earlier run and not yet written to every address, still due and unpaid,
    are tried again (``_unsent``)."""
    on = on or timezone.localdate()
    policy = policy_in_force(on=on)
    before_due = datetime.timedelta(days=policy.dues_reminder_days_before_due)
    before_grace = datetime.timedelta(days=policy.dues_reminder_days_before_grace_end)
    grace = datetime.timedelta(days=policy.dues_grace_days)
    now = timezone.now()
    due = {
        BEFORE_DUE: _open_dues(on=on).filter(due_on__gte=on, due_on__lte=on + before_due),
        BEFORE_GRACE_END: _open_dues(on=on).filter(
            due_on__gte=on - grace, due_on__lte=on + before_grace - grace
        ),
        PLEDGE_BEFORE_DUE: _open_pledges(on).filter(due_on__gte=on, due_on__lte=on + before_due),
    }
    claimed: dict[str, list[int]] = {}
    unsent: dict[str, list[int]] = {}
    with transaction.atomic():
        for kind, candidates in due.items():
            # Before this run claims any: those an earlier run claimed, not all written to.
            unsent[kind] = _unsent(kind, candidates)
            claimed[kind] = _claim(kind, candidates, now=now)
        counts = {kind: len(ids) for kind, ids in claimed.items()}
        if any(counts.values()):
            audit_log(
                actor=None,
                action="contributions.dues.reminders",
                data={"on": on.isoformat(), **counts},
            )
        for kind in due:
            ids = claimed[kind] + unsent[kind]
            if ids:
                transaction.on_commit(
                    lambda kind=kind, ids=ids: _after_claim(kind, ids, on.isoformat())
                )
    return counts


def _after_claim(kind: str, ids: list[int], on: str) -> None:
    from .. import tasks

    tasks.send_dues_reminder_emails.delay(kind, list(ids), on)


def _recipients(member) -> list[tuple[str, str]]:
    """(email, language) of the member's own address and of each contact's login, once per
    address: the member's in its language, a contact's in their own (else the member's)."""
    member_language = language_or_default(member.language)
    seen: dict[str, str] = {member.email.lower(): member_language}
    result = [(member.email, member_language)]
    for link in member.contact_links.all():
        user = link.user
        if not user.is_active or not user.email or user.email.lower() in seen:
            continue
        language = language_or_default(user.language or member.language)
        seen[user.email.lower()] = language
        result.append((user.email, language))
    return result


def reminder_address(email: str) -> str:
    """How ``ReminderEmail`` knows an address: a keyed hash of it, the same whatever its case."""
    return salted_hmac(
        "contributions.reminder_email", email.strip().lower(), algorithm="sha256"
    ).hexdigest()


def dues_reminder_emails_send(*, kind: str, invoice_ids: Iterable[int], on: datetime.date) -> int:
    """Write the reminder ``kind`` of each invoice of ``invoice_ids`` (already claimed) to its
    member and contacts. Returns the number of emails sent. Safe to run twice, or twice at
    once (``send_once_each``): an address is written to once. One the mail server refuses is
    logged, the invoice's other addresses are still written to, and the invoice's email is
    left unmarked (``PartlySent``) so that a run again writes to the refused one only."""
    model, claimed = _CLAIMS[kind]
    invoice_field = "dues_invoice" if model is DuesInvoice else "pledge_invoice"
    invoices = model.objects.filter(pk__in=list(invoice_ids), **{f"{claimed}__isnull": False})
    if model is DuesInvoice:
        invoices = invoices_with_paid(invoices, on=on)
    else:
        invoices = pledge_invoices_with_paid(invoices, on=on)
    invoices = invoices.select_related("membership__member", "membership__steward")
    invoices = invoices.prefetch_related("membership__member__contact_links__user")
    grace_days = policy_in_force(on=on).dues_grace_days
    template = {
        BEFORE_DUE: "contributions/email/dues_before_due",
        BEFORE_GRACE_END: "contributions/email/dues_before_grace_end",
        PLEDGE_BEFORE_DUE: "contributions/email/pledge_before_due",
    }[kind]
    dashboard_url = absolute_url("standing:dashboard")

    def send(invoice, connection) -> int:
        member = invoice.membership.member
        steward = invoice.membership.steward
        context = {
            "member": member,
            "invoice": invoice,
            "steward": steward,
            "iban": format_iban(steward.iban) if steward.iban else "",
            "outstanding": invoice.amount - invoice.paid,
            "reference": format_rf(invoice.reference),
            "grace_ends_on": invoice.due_on + datetime.timedelta(days=grace_days),
            "dashboard_url": dashboard_url,
        }
        # Read with the invoice held (``send_once_each`` marked it): a run that wrote to
        # some of its addresses before has committed them.
        written = set(
            ReminderEmail.objects.filter(kind=kind, **{invoice_field: invoice}).values_list(
                "address", flat=True
            )
        )
        sent, delivered, refused = 0, [], 0
        for email, language in _recipients(member):
            address = reminder_address(email)
            if address in written:
                continue
            try:
                taken = send_templated_email(
                    template=template,
                    to=email,
                    language=language or settings.LANGUAGE_CODE,
                    context=context,
                    connection=connection,
                )
            except Exception:  # one unreachable address must not stop the others
                logger.exception("Email %s to %s was not sent.", template, email)
                taken = 0
            if not taken:
                refused += 1
                continue
            sent += taken
            written.add(address)
            delivered.append(ReminderEmail(kind=kind, address=address, **{invoice_field: invoice}))
        ReminderEmail.objects.bulk_create(delivered)
        if refused:
            raise PartlySent(sent)
        return sent

    return send_once_each(invoices, mark=_EMAILED[kind], send=send)


__all__ = [
    "BEFORE_DUE",
    "BEFORE_GRACE_END",
    "PLEDGE_BEFORE_DUE",
    "dues_reminder_emails_send",
    "dues_reminders_send",
    "reminder_address",
]
