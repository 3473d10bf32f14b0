"""An invoice a member can act on: who may see it, what is paid and outstanding, its status.

Both kinds, a user membership's dues invoice and an operational member's pledge invoice,
are shown by the same page (``contributions.invoice_views``) from an ``InvoicePage``."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from meetcoop.core.banking import format_iban, format_rf
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_treasurer
from membership.selectors import member_ids_of, policy_in_force
from resellers.models import Steward

from ..models import DuesInvoice, LedgerEntry, PledgeInvoice
from ._common import MONEY_OUT, ZERO
from .dues import invoices_with_paid

OPEN, PAID, OVERDUE = "open", "paid", "overdue"


def _visible(qs: QuerySet, user) -> QuerySet:
    """``qs`` (invoices with a ``membership``) narrowed to what ``user`` may see: everything
    for a treasurer or a co-op admin; else the invoices of the members it acts for and of the
    memberships of the stewards it administers."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_treasurer(user):
        return qs
    # A subquery, not a join through the admins: a join would repeat an invoice once per
    # admin of its steward when the member's own clause matches.
    administered = Steward.objects.filter(admins=user).values("pk")
    return qs.filter(
        Q(membership__member_id__in=member_ids_of(user))
        | Q(membership__steward_id__in=administered)
    )


def invoices_visible_to(user) -> QuerySet[DuesInvoice]:
    """The dues invoices ``user`` may open; another one answers 404, as if it did not exist."""
    return _visible(DuesInvoice.objects.all(), user)


def pledge_invoices_visible_to(user) -> QuerySet[PledgeInvoice]:
    """The pledge invoices ``user`` may open; another one answers 404."""
    return _visible(PledgeInvoice.objects.all(), user)


def pledge_invoices_with_paid(
    qs: QuerySet[PledgeInvoice], *, on: datetime.date, pending: bool = False
) -> QuerySet[PledgeInvoice]:
    """``qs`` with ``paid``: the approved money entries received up to ``on`` that pay each
    invoice, in its currency, less their reversals (a reversal points at the entry it
    reverses, not at the invoice). ``pending``: count the entries still waiting for their
    approval too (what a bank line may no longer be matched to)."""
    statuses = [LedgerEntry.Status.APPROVED]
    if pending:
        statuses.append(LedgerEntry.Status.PENDING)
    paid = (
        LedgerEntry.objects.filter(
            Q(pledge_invoice_id=OuterRef("pk")) | Q(reverses__pledge_invoice_id=OuterRef("pk")),
            kind=LedgerEntry.Kind.MONEY,
            status__in=statuses,
            currency=OuterRef("currency"),
            occurred_on__lte=on,
        )
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return qs.annotate(
        paid=Coalesce(Subquery(paid, output_field=MONEY_OUT), Value(ZERO), output_field=MONEY_OUT)
    )


def payment_status(
    *, amount: Decimal, paid: Decimal, last_day: datetime.date, on: datetime.date
) -> str:
    """Paid in full, overdue (unpaid after ``last_day``, the due date plus any grace), or
    open."""
    if paid >= amount:
        return PAID
    if on > last_day:
        return OVERDUE
    return OPEN


@dataclass
class InvoicePage:
    """What an invoice's page and its PDF show, for a dues or a pledge invoice."""

    kind: str  # "dues" or "pledge"
    invoice: DuesInvoice | PledgeInvoice
    member: object
    steward: Steward
    service_level: object | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    amount: Decimal
    currency: str
    paid: Decimal
    due_on: datetime.date
    last_day: datetime.date  # the last day of grace (the due date for a pledge)
    status: str
    reference: str  # in groups of four

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid, ZERO)

    @property
    def has_grace(self) -> bool:
        return self.last_day != self.due_on

    @property
    def iban(self) -> str:
        return format_iban(self.steward.iban) if self.steward.iban else ""

    @property
    def has_bank_details(self) -> bool:
        return bool(self.steward.iban or self.steward.other_account_details.strip())


def _dues_grace_days(on: datetime.date) -> int:
    """The dues grace of the policy in force on ``on``, as the status rules read it; none
    when no policy is in force (the page still shows the invoice)."""
    try:
        return policy_in_force(on=on).dues_grace_days
    except DomainError:
        return 0


def dues_invoice_page(invoice: DuesInvoice, *, on: datetime.date) -> InvoicePage:
    """The page of a dues invoice read with ``invoices_with_paid`` and its membership's
    member, steward and service level. One query (the policy)."""
    membership = invoice.membership
    last_day = invoice.due_on + datetime.timedelta(days=_dues_grace_days(on))
    return InvoicePage(
        kind="dues",
        invoice=invoice,
        member=membership.member,
        steward=membership.steward,
        service_level=membership.service_level,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        amount=invoice.amount,
        currency=invoice.currency,
        paid=invoice.paid,
        due_on=invoice.due_on,
        last_day=last_day,
        status=payment_status(amount=invoice.amount, paid=invoice.paid, last_day=last_day, on=on),
        reference=format_rf(invoice.reference),
    )


def pledge_invoice_page(invoice: PledgeInvoice, *, on: datetime.date) -> InvoicePage:
    """The page of a pledge invoice read with ``pledge_invoices_with_paid`` and its
    membership's member and steward. No query. The pledge is due by the end of the
    commitment, with no grace after it; its period is the commitment's."""
    membership = invoice.membership
    return InvoicePage(
        kind="pledge",
        invoice=invoice,
        member=membership.member,
        steward=membership.steward,
        service_level=None,
        period_start=membership.admitted_on,
        period_end=invoice.due_on,
        amount=invoice.amount,
        currency=invoice.currency,
        paid=invoice.paid,
        due_on=invoice.due_on,
        last_day=invoice.due_on,
        status=payment_status(
            amount=invoice.amount, paid=invoice.paid, last_day=invoice.due_on, on=on
        ),
        reference=format_rf(invoice.reference),
    )


def dues_invoice_for_page(user, pk: int, *, on: datetime.date) -> DuesInvoice:
    """The dues invoice ``pk`` if ``user`` may see it, with what its page needs (one query);
    ``DuesInvoice.DoesNotExist`` otherwise."""
    return invoices_with_paid(
        invoices_visible_to(user).select_related(
            "membership__member", "membership__steward", "membership__service_level"
        ),
        on=on,
    ).get(pk=pk)


def pledge_invoice_for_page(user, pk: int, *, on: datetime.date) -> PledgeInvoice:
    """The pledge invoice ``pk`` if ``user`` may see it, with what its page needs (one
    query); ``PledgeInvoice.DoesNotExist`` otherwise."""
    return pledge_invoices_with_paid(
        pledge_invoices_visible_to(user).select_related(
            "membership__member", "membership__steward"
        ),
        on=on,
    ).get(pk=pk)
