"""Celery tasks of the contributions app: thin wrappers around services."""

from celery import shared_task
from django.utils import timezone

from .services import dues_invoices_issue_next, pledge_invoices_issue
from .services.reminders import dues_reminder_emails_send, dues_reminders_send


@shared_task(name="contributions.issue_next_dues_invoices")
def issue_next_dues_invoices(on: str | None = None) -> int:
    """Issue the next period's dues invoices, and the pledge invoices of admitted operational
    members that have none yet (daily). Running it twice issues nothing twice. Returns the
    number of dues invoices issued (the pledge invoices issued are in the audit log)."""
    import datetime

    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    issued = dues_invoices_issue_next(on=day)
    pledge_invoices_issue(on=day)
    return issued


@shared_task(name="contributions.send_dues_reminders")
def send_dues_reminders(on: str | None = None) -> dict:
    """Remind members of unpaid dues (nightly). Each reminder is sent once, however often it
    runs."""
    import datetime

    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return dues_reminders_send(on=day)


@shared_task(name="contributions.send_dues_reminder_emails")
def send_dues_reminder_emails(kind: str, invoice_ids: list[int], on: str) -> int:
    """The emails of reminders already claimed (``dues_reminders_send`` enqueues it)."""
    import datetime

    return dues_reminder_emails_send(
        kind=kind, invoice_ids=invoice_ids, on=datetime.date.fromisoformat(on)
    )
