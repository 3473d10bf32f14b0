"""Celery tasks of the contributions app: thin wrappers around services."""

from celery import shared_task
from django.utils import timezone

from .services import dues_invoices_issue_next


@shared_task(name="contributions.issue_next_dues_invoices")
def issue_next_dues_invoices(on: str | None = None) -> int:
    """Issue the next period's dues invoices (daily). Running it twice issues nothing twice."""
    import datetime

    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return dues_invoices_issue_next(on=day)
