"""Dues reads: invoices with what has been paid, and the unpaid dues of many memberships."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from meetcoop.core.db import among
from membership.models import Membership

from ..models import DuesInvoice, DuesPayment
from ._common import MONEY_OUT, ZERO


def _paid_by(on: datetime.date):
    """What was paid on each invoice by ``on``: its payments less the refunds of them made by
    ``on`` (a refunded payment opens the invoice again)."""
    refunded = Coalesce(
        Sum("refund__amount", filter=Q(refund__refunded_on__lte=on)),
        Value(ZERO),
        output_field=MONEY_OUT,
    )
    paid = (
        DuesPayment.objects.filter(invoice_id=OuterRef("pk"), paid_on__lte=on)
        .order_by()
        .values("invoice_id")
        .annotate(total=Sum("amount") - refunded)
        .values("total")
    )
    return Coalesce(Subquery(paid, output_field=MONEY_OUT), Value(ZERO), output_field=MONEY_OUT)


def invoices_with_paid(qs: QuerySet[DuesInvoice], *, on: datetime.date) -> QuerySet[DuesInvoice]:
    return qs.annotate(paid=_paid_by(on))


def dues_days_ahead(
    memberships: QuerySet[Membership] | Iterable[int], *, on: datetime.date
) -> dict[int, datetime.date]:
    """For each membership with one, the first day after ``on`` on which what
    ``unpaid_dues_for`` reads of it changes by time alone: an invoice falls due, or a payment
    or a refund dated ahead counts. One query each (those dated ahead are few)."""
    if isinstance(memberships, QuerySet):
        memberships = memberships.values("pk")
    invoices = DuesInvoice.objects.filter(among("membership_id", memberships)).order_by()
    firsts: dict[int, datetime.date] = {}
    for rows in (
        invoices.filter(due_on__gt=on).values("membership_id").annotate(day=Min("due_on")),
        invoices.filter(payments__paid_on__gt=on)
        .values("membership_id")
        .annotate(day=Min("payments__paid_on")),
        invoices.filter(payments__refund__refunded_on__gt=on)
        .values("membership_id")
        .annotate(day=Min("payments__refund__refunded_on")),
    ):
        for row in rows.values_list("membership_id", "day"):
            membership_id, day = row
            if day < firsts.get(membership_id, datetime.date.max):
                firsts[membership_id] = day
    return firsts


def unpaid_dues_for(
    memberships: QuerySet[Membership] | Iterable[int], *, on: datetime.date
) -> dict[int, list[tuple[datetime.date, Decimal, str]]]:
    """For each membership, its invoices already due on ``on`` and not fully paid by payments
    made up to ``on``, less the refunds of them made by then: (due_on, outstanding amount,
    currency), oldest first. One query. Memberships with nothing unpaid are absent. (The
    status rules add the grace period.)"""
    if isinstance(memberships, QuerySet):
        memberships = memberships.values("pk")
    invoices = DuesInvoice.objects.filter(among("membership_id", memberships))
    # A GROUP BY over the invoices joined to their payments and those payments' refunds (at
    # most one each, so the join repeats no payment): one hash aggregate, not a subquery per
    # invoice (this runs over every user membership each night).
    rows = (
        invoices.filter(due_on__lte=on)
        .order_by()
        .annotate(
            paid=Coalesce(
                Sum("payments__amount", filter=Q(payments__paid_on__lte=on)),
                Value(ZERO),
                output_field=MONEY_OUT,
            )
            - Coalesce(
                Sum(
                    "payments__refund__amount",
                    filter=Q(payments__paid_on__lte=on, payments__refund__refunded_on__lte=on),
                ),
                Value(ZERO),
                output_field=MONEY_OUT,
            )
        )
        .filter(paid__lt=F("amount"))
        .values_list("membership_id", "due_on", "amount", "paid", "currency")
    )
    return _unpaid_by_membership(rows)


def unpaid_dues_among(invoices, *, on: datetime.date) -> dict:
    """``unpaid_dues_for`` over invoices already read with ``invoices_with_paid(..., on=on)``
    (every invoice of the memberships asked about), without a query: for a page that shows
    the invoices and the status rules about them."""
    return _unpaid_by_membership(
        (i.membership_id, i.due_on, i.amount, i.paid, i.currency)
        for i in invoices
        if i.due_on <= on and i.paid < i.amount
    )


def _unpaid_by_membership(rows) -> dict[int, list[tuple[datetime.date, Decimal, str]]]:
    """{membership_id: [(due_on, outstanding, currency), ...] oldest first} of the unpaid
    invoice rows (membership_id, due_on, amount, paid, currency)."""
    result: dict[int, list] = {}
    for membership_id, due_on, amount, paid, currency in sorted(rows, key=lambda r: r[:2]):
        result.setdefault(membership_id, []).append((due_on, amount - paid, currency))
    return result


def dues_to_collect(invoices: QuerySet[DuesInvoice], *, on: datetime.date) -> dict[str, int]:
    """How many of ``invoices`` are open (not fully paid by payments made up to ``on``) and
    how many of those are overdue (due before ``on``), in one query."""
    unpaid = Q(paid__lt=F("amount"))
    return invoices_with_paid(invoices.order_by(), on=on).aggregate(
        open=Count("pk", filter=unpaid),
        overdue=Count("pk", filter=unpaid & Q(due_on__lt=on)),
    )


def invoices_by_payment(
    invoices: QuerySet[DuesInvoice], state: str, *, on: datetime.date
) -> QuerySet[DuesInvoice]:
    """``invoices`` narrowed to one ``state``: "open" (not fully paid), "overdue" (open and due
    before ``on``) or "paid"; the admin's filter and ``dues_to_collect`` count the same."""
    invoices = invoices_with_paid(invoices, on=on)
    if state == "open":
        return invoices.filter(paid__lt=F("amount"))
    if state == "overdue":
        return invoices.filter(paid__lt=F("amount"), due_on__lt=on)
    if state == "paid":
        return invoices.filter(paid__gte=F("amount"))
    return invoices
