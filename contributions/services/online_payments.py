"""Online payment writes: a member opens a payment page at the provider for an invoice, and
the provider's verified messages record what became of it, each message once.

A paid message records the payment as the system (no person): a dues payment through
``dues_payment_record(actor=None, source_key=...)``; for a pledge invoice an approved money
entry of the ledger (``_system_money_record``), since ``money_record`` is a treasurer's and
the provider's verified message is what a treasurer would check. A refund gives the dues
payment back (``DuesRefund``: the invoice is open again) or reverses the pledge's money entry
(``_system_reverse``, the ledger's reversal written by the system).
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError

from ..models import LedgerEntry, OnlinePayment, OnlinePaymentEvent, PledgeInvoice
from ..payments import CheckoutRequest, ProviderError, ProviderEvent, minor_units, provider
from ..selectors.online_payments import (
    invoice_kind,
    invoice_outstanding,
    may_pay,
    online_payment_status,
    paid_event_for,
    steward_of,
)
from .dues import dues_payment_record
from .dues_refunds import dues_refund_create
from .ledger import _money_entry_create, _money_value, _reversal_create, _today

logger = logging.getLogger(__name__)
Outcome = OnlinePaymentEvent.Outcome


def online_payment_start(
    *, invoice, actor, success_url: str, cancel_url: str
) -> tuple[OnlinePayment, str]:
    """A member opens a payment page for what ``invoice`` (dues or pledge) still owes.
    Returns the online payment recorded and the provider's page to send the member to."""
    chosen = provider()
    if chosen is None:
        raise DomainError(_("Online payment is not available."), code="no_provider")
    if not may_pay(actor, invoice):
        raise PermissionDenied(_("You may only pay your own invoices."))
    if not steward_of(invoice).online_payments:
        raise DomainError(_("Online payment is not available."), code="not_offered")
    kind = invoice_kind(invoice)
    amount = invoice_outstanding(invoice)
    if amount <= 0:
        raise DomainError(_("This invoice is already paid."), code="paid")
    try:
        minor_units(amount, invoice.currency)
    except ValueError as exc:
        raise DomainError(
            _("This amount can't be paid online in %(currency)s. Please pay by bank transfer.")
            % {"currency": invoice.currency},
            code="amount",
        ) from exc
    request = CheckoutRequest(
        amount=amount,
        currency=invoice.currency,
        description=str(invoice),
        reference=invoice.reference,
        metadata={"invoice_kind": kind, "invoice_id": str(invoice.pk)},
        success_url=success_url,
        cancel_url=cancel_url,
        email=getattr(actor, "email", "") or "",
    )
    try:
        checkout = chosen.start_checkout(request)
    except ProviderError:
        logger.exception("Online payment of %s invoice %s could not start.", kind, invoice.pk)
        raise DomainError(
            _(
                "The payment provider could not open a payment page. Please try again later, "
                "or pay by bank transfer."
            ),
            code="provider",
        ) from None
    with transaction.atomic():
        payment = OnlinePayment.objects.create(
            dues_invoice=invoice if kind == "dues" else None,
            pledge_invoice=invoice if kind == "pledge" else None,
            provider=chosen.name,
            checkout_id=checkout.checkout_id,
            amount=amount,
            currency=invoice.currency,
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.online_payment.started",
            obj=invoice,
            data={
                "online_payment": payment.pk,
                "provider": chosen.name,
                "checkout": checkout.checkout_id,
                "amount": str(amount),
                "currency": invoice.currency,
            },
        )
    return payment, checkout.url


def online_payment_event_record(
    *, event: ProviderEvent, on: datetime.date | None = None
) -> tuple[OnlinePaymentEvent, bool]:
    """Record a provider's verified ``event`` once. Returns (the event row, True) the first
    time; (the row already recorded, False) for a message received before, which records
    nothing more, even when two deliveries race (the event id is unique; the second
    delivery's whole transaction is rolled back)."""
    on = _today(on)
    existing = OnlinePaymentEvent.objects.filter(event_id=event.event_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _record(event, on), True
    except IntegrityError:
        existing = OnlinePaymentEvent.objects.filter(event_id=event.event_id).first()
        if existing is None:
            raise
        return existing, False


def _record(event: ProviderEvent, on: datetime.date) -> OnlinePaymentEvent:
    payment, paid_event = _payment_of(event)
    # A delivery of the same message that committed while this one waited for the lock.
    again = OnlinePaymentEvent.objects.filter(event_id=event.event_id).first()
    if again is not None:
        return again

    def row(outcome, reason="", **links):
        if outcome == Outcome.IGNORED and reason:
            logger.warning(
                "%s event %s (%s) ignored: %s", event.provider, event.event_id, event.type, reason
            )
        return OnlinePaymentEvent.objects.create(
            provider=event.provider,
            event_id=event.event_id,
            type=event.type,
            online_payment=payment,
            outcome=outcome,
            reason=reason[:300],
            payment_ref=event.payment_ref,
            **links,
        )

    if not event.outcome:  # a message that changes nothing (a slow payment still running)
        return OnlinePaymentEvent.objects.create(
            provider=event.provider,
            event_id=event.event_id,
            type=event.type,
            online_payment=payment,
            outcome=Outcome.IGNORED,
            reason=event.note[:300],
            payment_ref=event.payment_ref,
        )
    if payment is None:
        return row(Outcome.IGNORED, "No online payment of this platform matches it.")
    state = online_payment_status(payment)
    if event.outcome == Outcome.FAILED:
        if state in (Outcome.PAID, Outcome.REFUNDED):
            return row(Outcome.IGNORED, f"The payment was already {state}.")
        return row(Outcome.FAILED)
    if event.outcome == Outcome.PAID:
        if state in (Outcome.PAID, Outcome.REFUNDED):
            return row(Outcome.IGNORED, f"The payment was already {state}.")
        mismatch = _mismatch(event, payment)
        if mismatch:
            return row(Outcome.IGNORED, mismatch)
        try:
            with transaction.atomic():
                recorded = _record_paid(event, payment, on)
        except DomainError as error:
            return row(Outcome.IGNORED, f"Not recorded: {error.messages[0]}")
        return row(Outcome.PAID, **recorded)
    if event.outcome == Outcome.REFUNDED:
        if state != Outcome.PAID or paid_event is None:
            return row(Outcome.IGNORED, f"The payment is {state or 'unknown'}, not paid.")
        if event.note:
            return row(Outcome.IGNORED, f"{event.note}: record it by hand.")
        mismatch = _mismatch(event, payment)
        if mismatch:
            return row(Outcome.IGNORED, mismatch)
        try:
            with transaction.atomic():
                return _record_refund(event, payment, paid_event, on, row)
        except DomainError as error:
            return row(Outcome.IGNORED, f"Not recorded: {error.messages[0]}")
    return row(Outcome.IGNORED, f"Unknown outcome {event.outcome!r}.")


def _payment_of(event: ProviderEvent):
    """The online payment ``event`` is about, locked (every message about one payment is
    recorded one after the other), and for a refund the event that recorded it paid."""
    paid_event = None
    if event.checkout_id:
        pk = (
            OnlinePayment.objects.filter(provider=event.provider, checkout_id=event.checkout_id)
            .values_list("pk", flat=True)
            .first()
        )
    else:
        paid_event = paid_event_for(provider=event.provider, payment_ref=event.payment_ref)
        pk = paid_event.online_payment_id if paid_event is not None else None
    if pk is None:
        return None, None
    payment = (
        OnlinePayment.objects.select_for_update(of=("self",))
        .select_related("dues_invoice", "pledge_invoice__membership")
        .get(pk=pk)
    )
    return payment, paid_event


def _mismatch(event: ProviderEvent, payment: OnlinePayment) -> str:
    expected = minor_units(payment.amount, payment.currency)
    if event.currency != payment.currency or event.amount_minor != expected:
        return (
            f"The message says {event.amount_minor} {event.currency} (minor units); "
            f"{expected} {payment.currency} was asked."
        )
    return ""


def _source_key(event: ProviderEvent, payment: OnlinePayment) -> str:
    return f"{payment.provider}:{event.payment_ref or payment.checkout_id}"


def _record_paid(event: ProviderEvent, payment: OnlinePayment, on: datetime.date) -> dict:
    note = f"{payment.get_provider_display()} {payment.checkout_id}"[:200]
    if payment.dues_invoice_id:
        dues = dues_payment_record(
            invoice=payment.dues_invoice,
            amount=payment.amount,
            currency=payment.currency,
            paid_on=on,
            actor=None,
            source_key=_source_key(event, payment),
            note=note,
            on=on,
        )
        return {"dues_payment": dues}
    # Locked, so that two payment pages of one pledge paid at once are counted one at a time.
    pledge = PledgeInvoice.objects.select_for_update().get(pk=payment.pledge_invoice_id)
    _ensure_pledge_owes(pledge, payment.amount)
    entry = _system_money_record(
        pledge=pledge,
        amount=payment.amount,
        currency=payment.currency,
        received_on=on,
        source_key=_source_key(event, payment),
        description=f"{note} · {payment.pledge_invoice.reference}",
    )
    return {"ledger_entry": entry}


def _ensure_pledge_owes(pledge: PledgeInvoice, amount) -> None:
    """Refuse a payment of ``pledge`` larger than what it still owes, as a dues payment is
    refused: a second payment page paid, or money recorded by a treasurer meanwhile. The
    message is kept for a treasurer, who refunds the member at the provider."""
    outstanding = invoice_outstanding(pledge)
    if outstanding <= 0:
        raise DomainError(_("This invoice is already paid."), code="paid")
    if amount > outstanding:
        raise DomainError(
            _("Only %(amount)s %(currency)s is outstanding on this invoice.")
            % {"amount": outstanding, "currency": pledge.currency},
            code="overpaid",
        )


def _record_refund(event, payment, paid_event, on, row) -> OnlinePaymentEvent:
    if paid_event.dues_payment_id:
        # Refused (the message kept as ignored, for a treasurer) when a treasurer has given
        # back part of the payment by hand meanwhile: never more than was paid.
        recorded = row(Outcome.REFUNDED, dues_payment=paid_event.dues_payment)
        dues_refund_create(
            payment=paid_event.dues_payment,
            amount=paid_event.dues_payment.amount,
            currency=paid_event.dues_payment.currency,
            refunded_on=on,
            reason_code="refunded_online",
            event=recorded,
        )
        return recorded
    reversal = _system_reverse(
        entry=paid_event.ledger_entry,
        reason_code="refunded_online",
        on=on,
        event_id=event.event_id,
    )
    return row(Outcome.REFUNDED, ledger_entry=reversal)


# --- the ledger, written by the system on a provider's verified message -----------------------


def _system_money_record(
    *, pledge, amount, currency: str, received_on: datetime.date, source_key: str, description
) -> LedgerEntry:
    """An approved money entry paying ``pledge``, written by the system: what ``money_record``
    and ``entry_approve`` do for a treasurer, valued the same way (the co-op's dated rate for
    the day), with no person as logger or decider (the provider's verified message is the
    evidence, named by ``source_key``). Once per ``source_key``."""
    eur_rate, eur_value = _money_value(
        amount=amount, currency=currency, eur_rate=None, received_on=received_on
    )
    return _money_entry_create(
        member_id=pledge.membership.member_id,
        amount=amount,
        currency=currency,
        eur_rate=eur_rate,
        eur_value=eur_value,
        received_on=received_on,
        description=description,
        actor=None,
        pledge_invoice=pledge,
        source_key=source_key,
        approved=True,
    )


def _system_reverse(*, entry, reason_code: str, on: datetime.date, event_id: str) -> LedgerEntry:
    """The reversal ``entry_reverse`` writes, written by the system for a provider's refund
    (its reason a code of ``contributions.reasons``, worded when read)."""
    original = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    return _reversal_create(
        original=original,
        reason_code=reason_code,
        actor=None,
        on=on,
        audit_data={"event": event_id},
    )
