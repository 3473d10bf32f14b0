"""Revenue-share writes: a reseller's quarterly revenue report and payments of its share."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.dates import check_plausible
from meetcoop.core.errors import DomainError
from meetcoop.core.money import MONEY_FIELD, Money, round_money, validate_currency
from meetcoop.core.roles import is_coop_admin, is_treasurer
from membership.selectors import conversion_rate, policy_in_force
from resellers.models import Steward

from .. import selectors
from ..models import RATE_FIELD, RevenueReport, RevenueSharePayment
from .ledger import (
    MONEY_MAX,
    _check_fits,
    _check_not_future,
    _check_not_too_large,
    _check_positive,
    _decimal,
    _positive_money,
    _today,
)


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
    check_plausible(quarter_start, field="quarter_start", today=on)
    revenue = _decimal(revenue, _("The revenue"))
    if revenue < 0:
        raise DomainError(_("Revenue can't be negative."), code="negative")
    revenue = round_money(_check_not_too_large(revenue, _("The revenue"), field=MONEY_FIELD))
    validate_currency(currency)
    policy = policy_in_force(on=end)
    if currency == policy.currency:
        eur_rate = Decimal("1")
    elif eur_rate in (None, ""):  # the co-op's dated rate for the quarter's last day
        eur_rate = conversion_rate(currency=currency, base=policy.currency, on=end)
    else:
        eur_rate = _check_fits(
            _check_positive(eur_rate, _("The rate")), _("The rate"), field=RATE_FIELD
        )
    revenue_eur = round_money(revenue * eur_rate)
    if revenue_eur > MONEY_MAX:
        raise DomainError(
            _(
                "At this rate the revenue would be worth more than %(largest)s: check the "
                "revenue and the rate."
            )
            % {"largest": Money(MONEY_MAX, policy.currency)},
            code="too_large",
        )
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
    amount_eur = _positive_money(amount_eur, _("The amount"))
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
