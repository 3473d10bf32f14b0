"""Writes of the contributions app. Each takes the acting user and writes an audit entry.

Domain errors are ``DomainError`` (shown as form errors); a missing right is
``PermissionDenied`` (403 in a view).
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log, audit_log_many
from meetcoop.core.errors import DomainError
from meetcoop.core.money import round_money, validate_currency
from meetcoop.core.roles import is_coop_admin, is_treasurer
from membership.models import Membership
from membership.selectors import member_ids_of, policy_in_force
from resellers.models import Steward

from . import selectors
from .models import (
    MAX_HOURS,
    MIN_HOURS,
    DuesInvoice,
    DuesPayment,
    LedgerEntry,
    RevenueReport,
    RevenueSharePayment,
)


def period_end_for(start: datetime.date, period: str) -> datetime.date:
    """The last day of the period of ``period`` ("month", "quarter", "year") starting ``start``."""
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    return start + relativedelta(months=months) - datetime.timedelta(days=1)


# --- ledger: validation shared by the services ------------------------------------------------


def _decimal(value, label: str) -> Decimal:
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("%(label)s must be a number.") % {"label": label}) from exc
    if not result.is_finite():
        raise DomainError(_("%(label)s must be a number.") % {"label": label})
    return result


def _check_hours(hours) -> Decimal:
    hours = _decimal(hours, _("Hours"))
    if hours < MIN_HOURS or hours > MAX_HOURS:
        raise DomainError(
            _("Hours must be between %(min)s and %(max)s for one day worked.")
            % {"min": MIN_HOURS, "max": MAX_HOURS},
            code="hours",
        )
    if hours != hours.quantize(Decimal("0.01")):
        raise DomainError(_("Give hours to at most two decimal places."), code="hours")
    return hours


def _check_not_future(day: datetime.date, on: datetime.date):
    if day > on:
        raise DomainError(_("The date can't be in the future."), code="future")


def _check_positive(value, label: str) -> Decimal:
    value = _decimal(value, label)
    if value <= 0:
        raise DomainError(_("%(label)s must be more than zero.") % {"label": label})
    return value


def _today(on):
    return on or timezone.localdate()


# --- ledger: labour ---------------------------------------------------------------------------


def labour_log(
    *,
    member,
    circle,
    hours,
    worked_on: datetime.date,
    description: str,
    actor,
    on: datetime.date | None = None,
) -> LedgerEntry:
    """Log hours for ``member`` in ``circle``. A coordinator of the circle logs for members
    seated in it; a member self-reports its own hours. Every labour entry starts pending."""
    on = _today(on)
    own = member.pk in member_ids_of(actor)
    if not own and not selectors.coordinates(actor, circle.pk, on=on):
        raise PermissionDenied(_("Only a coordinator of this circle may log hours for others."))
    hours = _check_hours(hours)
    _check_not_future(worked_on, on)
    if not description.strip():
        raise DomainError(_("Say what was done."), code="description")
    if not selectors.is_seated_in(member, circle, on=worked_on):
        raise DomainError(
            _("%(member)s did not sit in %(circle)s on %(date)s.")
            % {"member": member, "circle": circle, "date": worked_on.isoformat()},
            code="not_seated",
        )
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            member=member,
            kind=LedgerEntry.Kind.LABOUR,
            occurred_on=worked_on,
            description=description.strip(),
            hours=hours,
            circle=circle,
            logged_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.entry.logged",
            obj=entry,
            data={"kind": entry.kind, "hours": str(hours), "self_reported": own},
        )
    return entry


def labour_log_many(
    *,
    circle,
    worked_on: datetime.date,
    description: str,
    hours_by_member: Mapping,
    actor,
    on: datetime.date | None = None,
) -> list[LedgerEntry]:
    """A coordinator logs the same work for several members at once: all or nothing."""
    on = _today(on)
    if not selectors.coordinates(actor, circle.pk, on=on):
        raise PermissionDenied(_("Only a coordinator of this circle may log hours for others."))
    if not hours_by_member:
        raise DomainError(_("Give hours for at least one member."), code="empty")
    hours_by_member = {member: _check_hours(hours) for member, hours in hours_by_member.items()}
    _check_not_future(worked_on, on)
    if not description.strip():
        raise DomainError(_("Say what was done."), code="description")
    seated = set(selectors.members_seated_in(circle, on=worked_on).values_list("pk", flat=True))
    for member in hours_by_member:
        if member.pk not in seated:
            raise DomainError(
                _("%(member)s did not sit in %(circle)s on %(date)s.")
                % {"member": member, "circle": circle, "date": worked_on.isoformat()},
                code="not_seated",
            )
    own = member_ids_of(actor)
    with transaction.atomic():
        entries = LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    member=member,
                    kind=LedgerEntry.Kind.LABOUR,
                    occurred_on=worked_on,
                    description=description.strip(),
                    hours=hours,
                    circle=circle,
                    logged_by=actor,
                )
                for member, hours in hours_by_member.items()
            ]
        )
        audit_log_many(
            actor=actor,
            action="contributions.entry.logged",
            objects=entries,
            data=lambda entry: {
                "kind": entry.kind,
                "hours": str(entry.hours),
                "self_reported": entry.member_id in own,
            },
        )
    return entries


# --- ledger: money and resources --------------------------------------------------------------


def money_record(
    *,
    member,
    amount,
    currency: str,
    eur_rate=None,
    received_on: datetime.date,
    description: str,
    actor,
    on: datetime.date | None = None,
) -> LedgerEntry:
    """A treasurer records money a member gave. Its value in the policy currency is computed
    once here (amount x rate, rounded to cents) and stored."""
    on = _today(on)
    if not is_treasurer(actor):
        raise PermissionDenied(_("Only a treasurer records money."))
    amount = _check_positive(amount, _("The amount"))
    validate_currency(currency)
    _check_not_future(received_on, on)
    base = policy_in_force(on=received_on).currency
    if currency == base:
        if eur_rate not in (None, "") and _decimal(eur_rate, _("The rate")) != 1:
            raise DomainError(
                _("Money in %(currency)s has a rate of 1.") % {"currency": base}, code="rate"
            )
        eur_rate = Decimal("1")
    else:
        if eur_rate in (None, ""):
            raise DomainError(
                _("Give the rate used to convert %(currency)s to %(base)s.")
                % {"currency": currency, "base": base},
                code="rate",
            )
        eur_rate = _check_positive(eur_rate, _("The rate"))
    eur_value = round_money(amount * eur_rate)
    if eur_value <= 0:
        raise DomainError(_("The amount is worth less than one cent."), code="amount")
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            member=member,
            kind=LedgerEntry.Kind.MONEY,
            occurred_on=received_on,
            description=description.strip() or _("Money"),
            amount=amount,
            currency=currency,
            eur_rate=eur_rate,
            eur_value=eur_value,
            logged_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.entry.logged",
            obj=entry,
            data={
                "kind": entry.kind,
                "amount": str(amount),
                "currency": currency,
                "eur_rate": str(eur_rate),
                "eur_value": str(eur_value),
            },
        )
    return entry


def resource_record(
    *,
    member,
    description: str,
    eur_value,
    given_on: datetime.date,
    actor,
    on: datetime.date | None = None,
) -> LedgerEntry:
    """A treasurer records an in-kind resource (a server, a licence) at its EUR value."""
    on = _today(on)
    if not is_treasurer(actor):
        raise PermissionDenied(_("Only a treasurer records resources."))
    eur_value = round_money(_check_positive(eur_value, _("The value")))
    _check_not_future(given_on, on)
    if not description.strip():
        raise DomainError(_("Describe the resource."), code="description")
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            member=member,
            kind=LedgerEntry.Kind.RESOURCE,
            occurred_on=given_on,
            description=description.strip(),
            eur_value=eur_value,
            logged_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.entry.logged",
            obj=entry,
            data={"kind": entry.kind, "eur_value": str(eur_value)},
        )
    return entry


# --- ledger: decisions and reversals ----------------------------------------------------------


def _decide(*, entry, status: str, actor, note: str, on) -> LedgerEntry:
    on = _today(on)
    with transaction.atomic():
        entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != LedgerEntry.Status.PENDING:
            raise DomainError(
                _("This entry was already %(status)s.") % {"status": entry.get_status_display()},
                code="decided",
            )
        if entry.member_id in member_ids_of(actor):
            raise PermissionDenied(_("Nobody approves or rejects their own contributions."))
        if not selectors.may_decide(actor, entry, on=on):
            raise PermissionDenied(_("You may not decide this entry."))
        entry.status = status
        entry.decided_by = actor
        entry.decided_at = timezone.now()
        entry.decision_note = note.strip()[:300]
        entry.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_log(
            actor=actor,
            action=f"contributions.entry.{status}",
            obj=entry,
            data={"note": entry.decision_note},
        )
    return entry


def entry_approve(*, entry, actor, note: str = "", on: datetime.date | None = None):
    return _decide(entry=entry, status=LedgerEntry.Status.APPROVED, actor=actor, note=note, on=on)


def entry_reject(*, entry, actor, note: str = "", on: datetime.date | None = None):
    return _decide(entry=entry, status=LedgerEntry.Status.REJECTED, actor=actor, note=note, on=on)


def entry_reverse(*, entry, reason: str, actor, on: datetime.date | None = None) -> LedgerEntry:
    """Correct an approved entry with a new, approved entry of the opposite sign that points at
    it. Whoever may decide the original may reverse it; an entry is reversed at most once."""
    on = _today(on)
    if not reason.strip():
        raise DomainError(_("Give the reason for the reversal."), code="reason")
    with transaction.atomic():
        original = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if original.is_reversal:
            raise DomainError(_("A reversal can't be reversed."), code="reversal")
        if original.status != LedgerEntry.Status.APPROVED:
            raise DomainError(_("Only an approved entry can be reversed."), code="status")
        if LedgerEntry.objects.filter(reverses=original).exists():
            raise DomainError(_("This entry has already been reversed."), code="reversed")
        if not selectors.may_decide(actor, original, on=on):
            raise PermissionDenied(_("You may not reverse this entry."))
        now = timezone.now()
        try:
            with transaction.atomic():
                reversal = LedgerEntry.objects.create(
                    member_id=original.member_id,
                    kind=original.kind,
                    occurred_on=on,
                    description=_("Reversal of entry #%(id)s") % {"id": original.pk},
                    amount=-original.amount if original.amount is not None else None,
                    currency=original.currency,
                    eur_rate=original.eur_rate,
                    eur_value=-original.eur_value,
                    hours=-original.hours,
                    circle_id=original.circle_id,
                    logged_by=actor,
                    logged_at=now,
                    status=LedgerEntry.Status.APPROVED,
                    decided_by=actor,
                    decided_at=now,
                    reverses=original,
                    reason=reason.strip(),
                )
        except IntegrityError as exc:
            raise DomainError(_("This entry has already been reversed."), code="reversed") from exc
        audit_log(
            actor=actor,
            action="contributions.entry.reversed",
            obj=original,
            data={"reversal": reversal.pk, "reason": reversal.reason},
        )
    return reversal


# --- dues -------------------------------------------------------------------------------------


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
        .values_list(
            "pk",
            "last_end",
            "service_level__minimum_amount",
            "service_level__currency",
            "service_level__period",
        )
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
            )
        )
    if not invoices:
        return 0
    with transaction.atomic():
        before = DuesInvoice.objects.count()
        DuesInvoice.objects.bulk_create(invoices, batch_size=batch_size, ignore_conflicts=True)
        issued = DuesInvoice.objects.count() - before
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


def dues_payment_record(
    *,
    invoice: DuesInvoice,
    amount,
    currency: str,
    paid_on: datetime.date,
    actor,
    note: str = "",
    on: datetime.date | None = None,
) -> DuesPayment:
    """A treasurer, or an admin of the invoice's steward, records a payment of dues."""
    on = _today(on)
    if not getattr(actor, "is_authenticated", False) or not _may_record_dues(actor, invoice):
        raise PermissionDenied(_("You may not record payments of this invoice."))
    amount = round_money(_check_positive(amount, _("The amount")))
    _check_not_future(paid_on, on)
    with transaction.atomic():
        invoice = DuesInvoice.objects.select_for_update().get(pk=invoice.pk)
        if currency != invoice.currency:
            raise DomainError(
                _("Record the payment in the invoice's currency (%(currency)s).")
                % {"currency": invoice.currency},
                code="currency",
            )
        paid = sum((p.amount for p in invoice.payments.all()), Decimal("0"))
        outstanding = invoice.amount - paid
        if outstanding <= 0:
            raise DomainError(_("This invoice is already paid."), code="paid")
        if amount > outstanding:
            raise DomainError(
                _("Only %(amount)s %(currency)s is outstanding on this invoice.")
                % {"amount": outstanding, "currency": invoice.currency},
                code="overpaid",
            )
        payment = DuesPayment.objects.create(
            invoice=invoice,
            amount=amount,
            currency=currency,
            paid_on=paid_on,
            note=note.strip(),
            recorded_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.dues.paid",
            obj=invoice,
            data={"payment": payment.pk, "amount": str(amount), "currency": currency},
        )
    return payment


# --- revenue share ----------------------------------------------------------------------------


def revenue_report_submit(
    *,
    steward: Steward,
    quarter_start: datetime.date,
    revenue,
    currency: str,
    eur_rate=None,
    actor,
    on: datetime.date | None = None,
) -> RevenueReport:
    """A reseller's admin reports a finished quarter's resale revenue. The share owed comes
    from the policy in force on the quarter's last day, computed once and stored."""
    on = _today(on)
    if not (is_coop_admin(actor) or steward.admins.filter(pk=actor.pk).exists()):
        raise PermissionDenied(_("Only this reseller's admins report its revenue."))
    if not steward.is_reseller:
        raise DomainError(_("Only a reseller reports resale revenue."), code="steward")
    if quarter_start != selectors.quarter_start(quarter_start):
        raise DomainError(_("A quarter starts on 1 January, April, July or October."))
    end = selectors.quarter_end(quarter_start)
    if end >= on:
        raise DomainError(_("A quarter is reported once it has ended."), code="open")
    revenue = round_money(_decimal(revenue, _("The revenue")))
    if revenue < 0:
        raise DomainError(_("Revenue can't be negative."), code="negative")
    validate_currency(currency)
    policy = policy_in_force(on=end)
    if currency == policy.currency:
        eur_rate = Decimal("1")
    elif eur_rate in (None, ""):
        raise DomainError(
            _("Give the rate used to convert %(currency)s to %(base)s.")
            % {"currency": currency, "base": policy.currency},
            code="rate",
        )
    else:
        eur_rate = _check_positive(eur_rate, _("The rate"))
    revenue_eur = round_money(revenue * eur_rate)
    with transaction.atomic():
        Steward.objects.select_for_update().get(pk=steward.pk)
        if RevenueReport.objects.filter(steward=steward, quarter_start=quarter_start).exists():
            raise DomainError(_("This quarter has already been reported."), code="duplicate")
        report = RevenueReport.objects.create(
            steward=steward,
            quarter_start=quarter_start,
            quarter_end=end,
            revenue=revenue,
            currency=currency,
            eur_rate=eur_rate,
            revenue_eur=revenue_eur,
            share_percent=policy.revenue_share_percent,
            share_eur=selectors.share_owed(revenue_eur, policy.revenue_share_percent),
            due_on=end + datetime.timedelta(days=policy.revenue_report_due_days),
            reported_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.revenue.reported",
            obj=report,
            data={"revenue_eur": str(revenue_eur), "share_eur": str(report.share_eur)},
        )
    return report


def revenue_share_payment_record(
    *,
    report: RevenueReport,
    amount_eur,
    paid_on: datetime.date,
    actor,
    note: str = "",
    on: datetime.date | None = None,
) -> RevenueSharePayment:
    """A treasurer records a payment of a reseller's revenue share."""
    on = _today(on)
    if not is_treasurer(actor):
        raise PermissionDenied(_("Only a treasurer records revenue-share payments."))
    amount_eur = round_money(_check_positive(amount_eur, _("The amount")))
    _check_not_future(paid_on, on)
    with transaction.atomic():
        report = RevenueReport.objects.select_for_update().get(pk=report.pk)
        paid = sum((p.amount_eur for p in report.payments.all()), Decimal("0"))
        outstanding = report.share_eur - paid
        if outstanding <= 0:
            raise DomainError(_("This share is already paid."), code="paid")
        if amount_eur > outstanding:
            raise DomainError(
                _("Only %(amount)s EUR is outstanding on this report.") % {"amount": outstanding},
                code="overpaid",
            )
        payment = RevenueSharePayment.objects.create(
            report=report,
            amount_eur=amount_eur,
            paid_on=paid_on,
            note=note.strip(),
            recorded_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.revenue.paid",
            obj=report,
            data={"payment": payment.pk, "amount_eur": str(amount_eur)},
        )
    return payment
