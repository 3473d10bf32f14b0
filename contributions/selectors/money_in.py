"""The treasurer's overview of money coming in, per steward: open, due and overdue dues
invoices, payments this month, revenue reports due; and the open invoices one by one for the
CSV export.

An invoice is **open** while the payments made up to the day are less than its amount. An
open invoice is **due** from its due date (that day included) to the last day of its grace
period (due date + the policy's ``dues_grace_days``, that day included, as the status rule
reads it), and **overdue** after it. Every count is read in a fixed number of queries
(GROUP BY in SQL), whatever the number of stewards and invoices.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from meetcoop.core.money import Money, round_money
from meetcoop.core.roles import is_treasurer
from membership.selectors import policy_in_force
from resellers.models import Steward
from resellers.selectors import stewards_visible_to

from ..models import DuesInvoice, DuesPayment
from ._common import MONEY_OUT
from .dues import invoices_with_paid
from .revenue import quarter_label, reports_due_for

NOT_DUE = "not_due"
DUE = "due"
OVERDUE = "overdue"


def money_in_stewards(user) -> QuerySet[Steward]:
    """The stewards whose money ``user`` sees: every steward for a treasurer or a co-op
    admin, its own for a steward's admin, none for anyone else."""
    if is_treasurer(user):
        return Steward.objects.all()
    return stewards_visible_to(user)


def may_see_money_in(user) -> bool:
    return is_treasurer(user) or money_in_stewards(user).exists()


def _grace(on: datetime.date) -> datetime.timedelta:
    return datetime.timedelta(days=policy_in_force(on=on).dues_grace_days)


def _sums(rows: dict[str, Decimal]) -> list[Money]:
    return [Money(amount, currency) for currency, amount in sorted(rows.items()) if amount]


@dataclass
class StewardMoneyIn:
    """One steward's row of the overview. Amounts are per currency, never added across."""

    steward: Steward
    open_count: int = 0
    due_count: int = 0
    overdue_count: int = 0
    payments_count: int = 0
    _open: dict = field(default_factory=dict)
    _due: dict = field(default_factory=dict)
    _overdue: dict = field(default_factory=dict)
    _payments: dict = field(default_factory=dict)
    reports_due: list = field(default_factory=list)

    @property
    def outstanding(self) -> list[Money]:
        return _sums(self._open)

    @property
    def due(self) -> list[Money]:
        return _sums(self._due)

    @property
    def overdue(self) -> list[Money]:
        return _sums(self._overdue)

    @property
    def payments(self) -> list[Money]:
        return _sums(self._payments)


def _add(bucket: dict, currency: str, amount) -> None:
    bucket[currency] = bucket.get(currency, Decimal("0")) + (amount or Decimal("0"))


def open_invoices(stewards: QuerySet[Steward], *, on: datetime.date) -> QuerySet[DuesInvoice]:
    """The dues invoices of ``stewards``' memberships not fully paid by payments made up to
    ``on``, each with ``paid``."""
    invoices = DuesInvoice.objects.filter(membership__steward__in=stewards)
    return invoices_with_paid(invoices, on=on).filter(paid__lt=F("amount"))


def money_in_by_steward(stewards: QuerySet[Steward], *, on: datetime.date) -> list[StewardMoneyIn]:
    """One row per steward of ``stewards`` (by name), in seven queries whatever their number:
    the stewards, the policy, the open invoices grouped by steward and currency, the payments
    of the month grouped the same way, and the revenue reports due (three)."""
    rows = {s.pk: StewardMoneyIn(steward=s) for s in stewards.order_by("kind", "name", "pk")}
    if not rows:
        return []
    grace = _grace(on)
    due = Q(due_on__lte=on, due_on__gte=on - grace)
    overdue = Q(due_on__lt=on - grace)
    left = F("amount") - F("paid")
    invoices = (
        open_invoices(stewards, on=on)
        .order_by()
        .values("membership__steward_id", "currency")
        .annotate(
            n=Count("pk"),
            n_due=Count("pk", filter=due),
            n_overdue=Count("pk", filter=overdue),
            outstanding=Sum(left, output_field=MONEY_OUT),
            due_amount=Sum(left, filter=due, output_field=MONEY_OUT),
            overdue_amount=Sum(left, filter=overdue, output_field=MONEY_OUT),
        )
    )
    for r in invoices:
        row = rows[r["membership__steward_id"]]
        row.open_count += r["n"]
        row.due_count += r["n_due"]
        row.overdue_count += r["n_overdue"]
        _add(row._open, r["currency"], r["outstanding"])
        _add(row._due, r["currency"], r["due_amount"])
        _add(row._overdue, r["currency"], r["overdue_amount"])
    payments = (
        DuesPayment.objects.filter(
            invoice__membership__steward__in=stewards,
            paid_on__gte=on.replace(day=1),
            paid_on__lte=on,
        )
        .order_by()
        .values("invoice__membership__steward_id", "currency")
        .annotate(n=Count("pk"), total=Sum("amount"))
    )
    for r in payments:
        row = rows[r["invoice__membership__steward_id"]]
        row.payments_count += r["n"]
        _add(row._payments, r["currency"], r["total"])
    for steward_id, quarters in reports_due_for(stewards, on=on).items():
        if steward_id in rows:
            rows[steward_id].reports_due = [
                {"quarter": quarter_label(q), "due_on": due_on, "overdue": due_on < on}
                for q, due_on in quarters
            ]
    return list(rows.values())


@dataclass(frozen=True)
class OpenInvoiceRow:
    invoice: DuesInvoice
    outstanding: Decimal
    grace_ends_on: datetime.date
    state: str


def open_invoice_rows(
    stewards: QuerySet[Steward], *, on: datetime.date, chunk_size: int = 2000
) -> Iterator[OpenInvoiceRow]:
    """The open invoices of ``stewards``, by steward, due date and number, with what is
    outstanding, the last day of grace and their state (not due, due, overdue); read in
    chunks (for the CSV export). With no policy in force on ``on`` it raises ``DomainError``
    (``policy_missing``) at once, before the first row is asked for."""
    return _open_invoice_rows(stewards, on=on, grace=_grace(on), chunk_size=chunk_size)


def _open_invoice_rows(
    stewards: QuerySet[Steward], *, on: datetime.date, grace: datetime.timedelta, chunk_size: int
) -> Iterator[OpenInvoiceRow]:
    invoices = (
        open_invoices(stewards, on=on)
        .select_related("membership__member", "membership__steward")
        .order_by("membership__steward__name", "membership__steward_id", "due_on", "pk")
    )
    for invoice in invoices.iterator(chunk_size=chunk_size):
        grace_ends_on = invoice.due_on + grace
        if invoice.due_on > on:
            state = NOT_DUE
        elif grace_ends_on >= on:
            state = DUE
        else:
            state = OVERDUE
        invoice.paid = round_money(Decimal(str(invoice.paid)))  # SQLite may say "0"
        yield OpenInvoiceRow(invoice, invoice.amount - invoice.paid, grace_ends_on, state)
