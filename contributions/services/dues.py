"""Dues writes: a user membership's first invoice, the next periods' invoices, payments."""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_treasurer
from membership.models import Membership
from membership.services import facts_changed
from resellers.models import StewardOffer

from ..models import DuesInvoice, DuesPayment, DuesRefund
from .ledger import _check_not_future, _positive_money, _today


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
    offer = StewardOffer.objects.filter(
        steward_id=membership.steward_id, service_level=level
    ).first()
    dues = offer.dues if offer is not None else level.minimum
    try:
        with transaction.atomic():
            invoice = DuesInvoice.objects.create(
                membership=membership,
                period_start=on,
                period_end=period_end_for(on, level.period),
                amount=dues.amount,
                currency=dues.currency,
                due_on=on,
            )
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
    except IntegrityError:
        return DuesInvoice.objects.get(membership=membership, period_start=on)
    return invoice


def _dues_of_offer() -> dict:
    """Each membership's dues per period: its steward's price for its level, in the steward's
    currency, or the level's minimum when the steward sets no price."""
    offer = StewardOffer.objects.filter(
        steward=OuterRef("steward"),
        service_level=OuterRef("service_level"),
        price__isnull=False,
    ).exclude(price_currency="")
    return {
        "dues_amount": Coalesce(
            Subquery(offer.values("price")[:1]), F("service_level__minimum_amount")
        ),
        "dues_currency": Coalesce(
            Subquery(offer.values("price_currency")[:1]), F("service_level__currency")
        ),
    }


BILLED_STATUSES = [Membership.Status.ACTIVE, Membership.Status.LAPSED]


def dues_invoices_issue_next(*, on: datetime.date, actor=None, batch_size: int = 1000) -> int:
    """Issue, for every billed user membership, the invoice of the period that follows its
    latest one when that period has begun on ``on``. Set-based: one read, bulk inserts; the
    unique (membership, period start) makes a second run issue nothing. Memberships without
    any invoice get their first one when their application is approved, not here. Returns the
    number of invoices issued."""
    rows = (
        Membership.objects.filter(
            type=Membership.Type.USER,
            status__in=BILLED_STATUSES,
            service_level__minimum_amount__gt=0,
        )
        .annotate(last_end=Max("dues_invoices__period_end"))
        .filter(last_end__lt=on)
        .annotate(**_dues_of_offer())
        .values_list("pk", "last_end", "dues_amount", "dues_currency", "service_level__period")
        .order_by("pk")
    )
    now = timezone.now()
    invoices = []
    for pk, last_end, amount, currency, period in rows.iterator(chunk_size=batch_size):
        start = last_end + datetime.timedelta(days=1)
        invoices.append(
            DuesInvoice(
                membership_id=pk,
                period_start=start,
                period_end=period_end_for(start, period),
                amount=amount,
                currency=currency,
                due_on=start,
                issued_at=now,
                reference=DuesInvoice.reference_for(pk, start),
            )
        )
    if not invoices:
        return 0
    with transaction.atomic():
        before = DuesInvoice.objects.count()
        DuesInvoice.objects.bulk_create(invoices, batch_size=batch_size, ignore_conflicts=True)
        issued = DuesInvoice.objects.count() - before
        # bulk_create sends no signal: the nightly job learns of the new due days here.
        facts_changed(membership_ids=sorted({invoice.membership_id for invoice in invoices}))
        audit_log(
            actor=actor,
            action="contributions.dues.issued_next",
            data={"on": on.isoformat(), "issued": issued},
        )
    return issued


def _may_record_dues(actor, invoice: DuesInvoice) -> bool:
    if is_treasurer(actor):
        return True
    return invoice.membership.steward.admins.filter(pk=actor.pk).exists()


def _check_outstanding(invoice: DuesInvoice, amount: Decimal, *, field=None) -> None:
    """Refuse a payment of ``amount`` on ``invoice`` (locked by the caller) beyond what it
    still owes: its amount less its payments, a refunded part of one owed again."""
    paid = sum((p.amount for p in invoice.payments.all()), Decimal("0")) - sum(
        (r.amount for r in DuesRefund.objects.filter(payment__invoice=invoice)), Decimal("0")
    )
    outstanding = invoice.amount - paid
    if outstanding <= 0:
        raise DomainError(_("This invoice is already paid."), field=field, code="paid")
    if amount > outstanding:
        raise DomainError(
            _("Only %(amount)s %(currency)s is outstanding on this invoice.")
            % {"amount": outstanding, "currency": invoice.currency},
            field=field,
            code="overpaid",
        )


def dues_payment_record(
    *,
    invoice: DuesInvoice,
    amount,
    currency: str,
    paid_on: datetime.date,
    actor,
    note: str = "",
    on: datetime.date | None = None,
    source_key: str = "",
) -> DuesPayment:
    """A treasurer, or an admin of the invoice's steward, records a payment of dues.

    ``source_key`` names where the payment came from (a bank statement's entry, a provider's
    event): a second call with the same key returns the payment already recorded and records
    nothing. ``actor`` None is the system, recording a payment provider's verified message;
    it needs a ``source_key``."""
    on = _today(on)
    system = actor is None and bool(source_key)
    if not system and (
        not getattr(actor, "is_authenticated", False) or not _may_record_dues(actor, invoice)
    ):
        raise PermissionDenied(_("You may not record payments of this invoice."))
    amount = _positive_money(amount, _("The amount"))
    _check_not_future(paid_on, on)
    with transaction.atomic():
        invoice = DuesInvoice.objects.select_for_update().get(pk=invoice.pk)
        if source_key:
            existing = DuesPayment.objects.filter(source_key=source_key).first()
            if existing is not None:
                return existing
        if currency != invoice.currency:
            raise DomainError(
                _("Record the payment in the invoice's currency (%(currency)s).")
                % {"currency": invoice.currency},
                code="currency",
            )
        _check_outstanding(invoice, amount)
        payment = DuesPayment.objects.create(
            invoice=invoice,
            amount=amount,
            currency=currency,
            paid_on=paid_on,
            note=note.strip(),
            recorded_by=actor,
            source_key=source_key,
        )
        audit_log(
            actor=actor,
            action="contributions.dues.paid",
            obj=invoice,
            data={
                "payment": payment.pk,
                "amount": str(amount),
                "currency": currency,
                "source": source_key,
            },
        )
    return payment
