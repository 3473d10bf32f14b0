"""Online payment reads: whether an invoice may be paid online, what it still owes, and what
became of the latest online payment (the latest of the provider's events about it)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from membership.selectors import member_ids_of

from ..models import (
    DuesInvoice,
    LedgerEntry,
    OnlinePayment,
    OnlinePaymentEvent,
    PledgeInvoice,
)
from ..payments import provider
from ._common import ZERO
from .dues import invoices_with_paid

Outcome = OnlinePaymentEvent.Outcome


def invoice_kind(invoice) -> str:
    """ "dues" or "pledge": the two kinds of invoice a member may pay online."""
    if isinstance(invoice, DuesInvoice):
        return "dues"
    if isinstance(invoice, PledgeInvoice):
        return "pledge"
    raise TypeError(f"Not an invoice: {invoice!r}")


def invoice_outstanding(invoice) -> Decimal:
    """What ``invoice`` still owes, in its currency (never below zero).

    Dues: the amount less the payments, a refunded payment counting for nothing. A pledge: the
    amount less the money entries paying it in its currency that are approved or waiting for a
    treasurer (so nobody pays twice meanwhile) and not reversed."""
    if invoice_kind(invoice) == "dues":
        # The dues selectors' "paid" (payments less their refunds), today: one query.
        paid = (
            invoices_with_paid(DuesInvoice.objects.filter(pk=invoice.pk), on=timezone.localdate())
            .values_list("paid", flat=True)
            .first()
            or ZERO
        )
    else:
        paid = (
            LedgerEntry.objects.filter(
                pledge_invoice=invoice,
                currency=invoice.currency,
                status__in=[LedgerEntry.Status.APPROVED, LedgerEntry.Status.PENDING],
                reversed_by__isnull=True,
            ).aggregate(t=Sum("amount"))["t"]
            or ZERO
        )
    return max(invoice.amount - paid, ZERO)


def latest_online_payment(invoice) -> OnlinePayment | None:
    field = "dues_invoice" if invoice_kind(invoice) == "dues" else "pledge_invoice"
    return OnlinePayment.objects.filter(**{field: invoice}).order_by("-created_at", "-id").first()


def online_payment_status(payment: OnlinePayment | None) -> str:
    """What became of ``payment``: the outcome of the provider's latest event about it that
    changed something ("paid", "failed", "refunded"); "ignored" when every message about it
    was kept for a treasurer to check; "started" while the provider has said nothing. (A
    message ignored after a payment, a repeat of "paid", leaves it paid.) One query."""
    if payment is None:
        return ""
    outcomes = list(
        OnlinePaymentEvent.objects.filter(online_payment=payment)
        .order_by("-received_at", "-id")
        .values_list("outcome", flat=True)
    )
    for outcome in outcomes:
        if outcome != Outcome.IGNORED:
            return outcome
    return Outcome.IGNORED if outcomes else "started"


def steward_of(invoice):
    return invoice.membership.steward


def online_payment_available(invoice) -> bool:
    """A provider is configured and the invoice's steward lets its members pay online."""
    return provider() is not None and bool(steward_of(invoice).online_payments)


def own_invoice_payable_online(user, model, pk: int):
    """``user``'s own invoice ``pk`` (``model``: ``DuesInvoice`` or ``PledgeInvoice``), when a
    provider is configured and its steward offers online payment; None otherwise (another
    member's invoice is as absent as one that does not exist)."""
    if provider() is None:
        return None
    invoice = (
        model.objects.select_related("membership__steward")
        .filter(pk=pk, membership__member_id__in=member_ids_of(user))
        .first()
    )
    if invoice is None or not steward_of(invoice).online_payments:
        return None
    return invoice


def may_pay(user, invoice) -> bool:
    """``user`` acts for the member the invoice is addressed to."""
    return invoice.membership.member_id in member_ids_of(user)


@dataclass(frozen=True)
class OnlinePaymentOffer:
    """What the invoice page shows about paying online. ``shown`` False: nothing at all (no
    provider configured, or the steward does not offer it)."""

    shown: bool
    offered: bool = False  # the "Pay online" button: shown and still something to pay
    kind: str = ""
    invoice_id: int | None = None
    amount: Decimal = ZERO
    currency: str = ""
    status: str = ""  # the latest online payment's (see ``online_payment_status``)
    status_amount: Decimal = ZERO


def online_payment_offer(invoice) -> OnlinePaymentOffer:
    """Whether and how ``invoice`` (a dues or pledge invoice) may be paid online. A few
    queries, whatever the number of invoices and payments."""
    if not online_payment_available(invoice):
        return OnlinePaymentOffer(shown=False)
    outstanding = invoice_outstanding(invoice)
    latest = latest_online_payment(invoice)
    return OnlinePaymentOffer(
        shown=True,
        offered=outstanding > 0,
        kind=invoice_kind(invoice),
        invoice_id=invoice.pk,
        amount=outstanding,
        currency=invoice.currency,
        status=online_payment_status(latest),
        status_amount=latest.amount if latest is not None else ZERO,
    )


def paid_event_for(*, provider: str, payment_ref: str) -> OnlinePaymentEvent | None:
    """The event that recorded the payment the provider names ``payment_ref`` (a refund
    names the money moved, not the payment page)."""
    if not payment_ref:
        return None
    return (
        OnlinePaymentEvent.objects.filter(
            Q(dues_payment__isnull=False) | Q(ledger_entry__isnull=False),
            provider=provider,
            payment_ref=payment_ref,
            outcome=Outcome.PAID,
        )
        .select_related("online_payment", "dues_payment", "ledger_entry")
        .first()
    )
