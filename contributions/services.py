"""Writes of the contributions app."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction

from meetcoop.core.audit import audit_log

from .models import DuesInvoice


def period_end_for(start: datetime.date, period: str) -> datetime.date:
    """The last day of the period of ``period`` ("month", "quarter", "year") starting ``start``."""
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    return start + relativedelta(months=months) - datetime.timedelta(days=1)


def dues_invoice_issue_first(*, membership, on: datetime.date, actor=None) -> DuesInvoice | None:
    """Issue the first dues invoice of a user membership, for the period starting ``on``.

    A level whose minimum is zero (Free) owes nothing and gets no invoice. Calling it again
    returns the invoice already issued.
    """
    level = membership.service_level
    if level is None or level.minimum_amount <= 0:
        return None
    existing = DuesInvoice.objects.filter(membership=membership, period_start=on).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            invoice = DuesInvoice.objects.create(
                membership=membership,
                period_start=on,
                period_end=period_end_for(on, level.period),
                amount=level.minimum_amount,
                currency=level.currency,
                due_on=on,
            )
    except IntegrityError:
        return DuesInvoice.objects.get(membership=membership, period_start=on)
    audit_log(
        actor=actor,
        action="contributions.dues.issued",
        obj=invoice,
        data={
            "membership": membership.pk,
            "amount": str(invoice.amount),
            "currency": invoice.currency,
        },
    )
    return invoice
