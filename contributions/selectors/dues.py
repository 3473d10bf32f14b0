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


def _paid_less_refunded(on: datetime.date, prefix: str = ""):
    """What the payments (``prefix`` is the path to them) made by ``on`` paid, less their
    refunds made by ``on``, summed over a join of the payments to their refunds.

    A payment refunded more than once comes back once per refund in that join; it is counted
    on the row of its first refund (``sequence`` 1), or on its own row when it has none. So one
    GROUP BY over the join answers, never a subquery per invoice or per payment."""
    paid_on = Q(**{f"{prefix}paid_on__lte": on})
    once = Q(**{f"{prefix}refunds__isnull": True}) | Q(**{f"{prefix}refunds__sequence": 1})
    refunded_on = Q(**{f"{prefix}refunds__refunded_on__lte": on})
    return Coalesce(
        Sum(f"{prefix}amount", filter=paid_on & once), Value(ZERO), output_field=MONEY_OUT
    ) - Coalesce(
        Sum(f"{prefix}refunds__amount", filter=paid_on & refunded_on),
        Value(ZERO),
        output_field=MONEY_OUT,
    )


def _paid_by(on: datetime.date):
    """What was paid on each invoice by ``on``: its payments less the refunds of them made by
    ``on`` (a refunded payment opens the invoice again)."""
    paid = (
        DuesPayment.objects.filter(invoice_id=OuterRef("pk"), paid_on__lte=on)
        .order_by()
        .values("invoice_id")
        .annotate(total=_paid_less_refunded(on))
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
        invoices.filter(payments__refunds__refunded_on__gt=on)
        .values("membership_id")
        .annotate(day=Min("payments__refunds__refunded_on")),
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
    # A GROUP BY over the invoices joined to their payments and those payments' refunds: one
    # hash aggregate, not a subquery per invoice (this runs over every user membership each
    # night).
    rows = (
        invoices.filter(due_on__lte=on)
        .order_by()
        .annotate(paid=_paid_less_refunded(on, "payments__"))
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


def dues_payment_refundable(payment: DuesPayment) -> Decimal:
    """What is left of ``payment`` to give back: its amount less its refunds."""
    refunded = payment.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return payment.amount - refunded


def dues_payment_move_targets(payment: DuesPayment) -> QuerySet[DuesInvoice]:
    """The invoices ``payment`` may be moved to: the other invoices of its invoice's steward
    (whose account received the money; a payment is often recorded on the wrong member's
    invoice, from a reference mistyped), in the payment's currency."""
    return (
        DuesInvoice.objects.filter(
            membership__steward_id=payment.invoice.membership.steward_id,
            currency=payment.currency,
        )
        .exclude(pk=payment.invoice_id)
        .select_related("membership__member")
        .order_by("membership__member__name", "-period_start")
    )
