"""Dues payments given back or put right by a treasurer: a refund, whole or in part, and a
payment moved from the invoice it was recorded on to the one it paid.

Both only add rows. A refund is a ``DuesRefund`` pointing at the payment; a move is a refund
of what is left of the payment on its invoice and a new payment on the other invoice that
points at it (``moved_from``). The invoices' paid state follows from the dues selectors
(payments less refunds), and the rows' saves mark their memberships for the nightly job
(``standing.receivers``).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError

from ..models import DuesInvoice, DuesPayment, DuesRefund
from ..selectors.dues import dues_payment_move_targets, dues_payment_refundable
from .dues import _check_outstanding, _may_record_dues
from .ledger import _check_not_future, _positive_money, _today


def _check_may_correct(actor, payment: DuesPayment) -> None:
    if not getattr(actor, "is_authenticated", False) or not _may_record_dues(
        actor, payment.invoice
    ):
        raise PermissionDenied(_("You may not refund or move payments of this invoice."))


# What a refund's reason and a moved payment's note hold: the member reads them whole.
REFUND_REASON_LENGTH = DuesRefund._meta.get_field("reason").max_length
MOVE_REASON_LENGTH = min(REFUND_REASON_LENGTH, DuesPayment._meta.get_field("note").max_length)


def _check_reason(reason: str, *, max_length: int) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why, in words the member understands."), field="reason", code="reason"
        )
    if len(reason) > max_length:
        raise DomainError(
            _("Say why in at most %(count)s characters.") % {"count": max_length},
            field="reason",
            code="reason",
        )
    return reason


def dues_refund_create(
    *,
    payment: DuesPayment,
    amount: Decimal,
    currency: str,
    refunded_on: datetime.date,
    reason: str = "",
    reason_code: str = "",
    actor=None,
    event=None,
) -> DuesRefund:
    """Give back ``amount`` of ``payment``, inside the caller's transaction: the payment is
    locked, so two refunds of it at once are counted one after the other and never give back
    more than was paid. The checks every refund passes, a treasurer's or a provider's."""
    payment = DuesPayment.objects.select_for_update().get(pk=payment.pk)
    if currency != payment.currency:
        raise DomainError(
            _("Refund the payment in its own currency (%(currency)s).")
            % {"currency": payment.currency},
            field="currency",
            code="currency",
        )
    left = dues_payment_refundable(payment)
    if left <= 0:
        raise DomainError(
            _("This payment has already been refunded in full."), field="amount", code="refunded"
        )
    if amount > left:
        raise DomainError(
            _("Only %(amount)s %(currency)s of this payment is left to refund.")
            % {"amount": left, "currency": payment.currency},
            field="amount",
            code="too_much",
        )
    if refunded_on < payment.paid_on:
        raise DomainError(
            _("A payment can't be refunded before the day it was paid."),
            field="refunded_on",
            code="before_paid",
        )
    refund = DuesRefund.objects.create(
        payment=payment,
        amount=amount,
        currency=currency,
        refunded_on=refunded_on,
        sequence=payment.refunds.count() + 1,
        reason=reason[:300],
        reason_code=reason_code,
        recorded_by=actor,
        event=event,
    )
    audit_log(
        actor=actor,
        action="contributions.dues.refunded",
        obj=payment.invoice,
        data={
            "payment": payment.pk,
            "refund": refund.pk,
            "amount": str(refund.amount),
            "currency": refund.currency,
            **({"reason_code": reason_code} if reason_code else {"reason": refund.reason}),
            **({"event": event.event_id} if event is not None else {}),
        },
    )
    return refund


def dues_payment_refund(
    *,
    payment: DuesPayment,
    amount,
    currency: str,
    reason: str,
    actor,
    refunded_on: datetime.date | None = None,
    on: datetime.date | None = None,
) -> DuesRefund:
    """A treasurer, or an admin of the invoice's steward, records that ``amount`` of
    ``payment`` was given back to the member, and why. Never more than is left of it (what
    was paid less its refunds), in its currency. Its invoice is open again when less than its
    amount is left paid; the status rules then give it the grace period from its due date."""
    on = _today(on)
    refunded_on = refunded_on or on
    _check_may_correct(actor, payment)
    reason = _check_reason(reason, max_length=REFUND_REASON_LENGTH)
    amount = _positive_money(amount, _("The amount"))
    _check_not_future(refunded_on, on)
    with transaction.atomic():
        return dues_refund_create(
            payment=payment,
            amount=amount,
            currency=currency,
            refunded_on=refunded_on,
            reason=reason,
            actor=actor,
        )


def dues_payment_move(
    *, payment: DuesPayment, invoice: DuesInvoice, reason: str, actor, on=None
) -> DuesPayment:
    """A payment recorded on the wrong invoice is moved to ``invoice``: what is left of it
    is refunded on its invoice (dated ``on``) and recorded as a payment of ``invoice``,
    paid on the day the money came and pointing at it, with the reason. Only to another
    invoice of the same steward (whose account holds the money), in its currency, that still
    owes that much: a move between stewards is money changing hands, a refund by one and a
    payment to the other."""
    on = _today(on)
    _check_may_correct(actor, payment)
    reason = _check_reason(reason, max_length=MOVE_REASON_LENGTH)
    if not dues_payment_move_targets(payment).filter(pk=invoice.pk).exists():
        raise DomainError(
            _(
                "A payment can be moved only to another invoice of the same steward, in the "
                "payment's currency."
            ),
            field="invoice",
            code="target",
        )
    with transaction.atomic():
        # The payment first, then the invoice: the order every correction locks them in.
        payment = DuesPayment.objects.select_for_update().get(pk=payment.pk)
        left = dues_payment_refundable(payment)
        if left <= 0:
            raise DomainError(
                _("This payment has already been refunded in full."),
                field="invoice",
                code="refunded",
            )
        target = DuesInvoice.objects.select_for_update().get(pk=invoice.pk)
        _check_outstanding(target, left, field="invoice")
        dues_refund_create(
            payment=payment,
            amount=left,
            currency=payment.currency,
            refunded_on=max(on, payment.paid_on),
            reason=reason,
            actor=actor,
        )
        moved = DuesPayment.objects.create(
            invoice=target,
            amount=left,
            currency=payment.currency,
            paid_on=payment.paid_on,
            note=reason,
            recorded_by=actor,
            moved_from=payment,
        )
        audit_log(
            actor=actor,
            action="contributions.dues.moved",
            obj=target,
            data={
                "payment": moved.pk,
                "moved_from": payment.pk,
                "from_invoice": payment.invoice_id,
                "amount": str(left),
                "currency": payment.currency,
                "reason": reason,
            },
        )
    return moved
