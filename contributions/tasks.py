"""Celery tasks of the contributions app: thin wrappers around services."""

from celery import shared_task
from django.utils import timezone

from .services import dues_invoices_issue_next, pledge_invoices_issue


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
