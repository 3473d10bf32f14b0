"""Revenue-share reads: quarters and their due dates, reports with what has been paid, the
share owed, and each reseller's standing (missing reports, unpaid shares)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from meetcoop.core.dates import day_over
from meetcoop.core.money import round_money
from membership.models import Membership
from membership.selectors import policies_by_date, policy_in_force
from resellers.models import Steward

from ..models import RevenueReport, RevenueSharePayment
from ._common import HUNDRED, MONEY_OUT, ZERO


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: datetime.date) -> datetime.date:
    start = quarter_start(day)
    if start.month == 10:
        return datetime.date(start.year, 12, 31)
    return datetime.date(start.year, start.month + 3, 1) - datetime.timedelta(days=1)


def next_quarter(start: datetime.date) -> datetime.date:
    return quarter_end(start) + datetime.timedelta(days=1)


def revenue_due_date(q_start: datetime.date, policies: dict | None = None) -> datetime.date:
    """The report of a quarter, and the payment of its share, are due the same day:
    ``revenue_report_due_days`` after the quarter's end, by the policy in force at that end."""
    end = quarter_end(q_start)
    policy = (policies or {}).get(end) or policy_in_force(on=end)
    return end + datetime.timedelta(days=policy.revenue_report_due_days)


def _first_quarters(stewards: QuerySet[Steward]) -> dict[int, datetime.date]:
    rows = (
        Membership.objects.filter(
            member__reseller__in=stewards,
            type=Membership.Type.OPERATIONAL,
            admitted_on__isnull=False,
        )
        .order_by("admitted_on")
        .values_list("member__reseller__pk", "admitted_on")
    )
    first = {}
    for steward_id, admitted in rows:
        first.setdefault(steward_id, quarter_start(admitted))
    return first


def _paid_share(on: datetime.date | None = None):
    payments = RevenueSharePayment.objects.filter(report_id=OuterRef("pk"))
    if on is not None:
        payments = payments.filter(paid_on__lte=on)
    paid = payments.order_by().values("report_id").annotate(t=Sum("amount_eur")).values("t")
    return Coalesce(Subquery(paid, output_field=MONEY_OUT), Value(ZERO), output_field=MONEY_OUT)


def reports_with_paid(qs: QuerySet[RevenueReport], *, on=None) -> QuerySet[RevenueReport]:
    return qs.annotate(paid_eur=_paid_share(on))


def quarter_label(start: datetime.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class ResellerStanding:
    """What a reseller has overdue: the quarters whose report is missing, and those whose
    share is unpaid (the status rule words them, ``membership.rules.reseller_rule``)."""

    missing_quarters: list[datetime.date]
    unpaid_quarters: list[datetime.date]
    # Ended quarters whose report is not sent, or share not paid, yet, due within the days
    # asked for (``soon_days``) and not overdue: the member is warned before it lapses.
    due_soon_quarters: list[datetime.date] = field(default_factory=list)


def resellers_standing_for(
    stewards: QuerySet[Steward] | Iterable[int], *, on: datetime.date, soon_days: int | None = None
) -> dict[int, ResellerStanding]:
    """What each reseller has overdue on ``on``, in three queries whatever the count.

    A quarter's report is overdue when its due date (see ``revenue_due_date``) is before
    ``on`` and no report was sent by the end of ``on``; its share is overdue when, on that
    same due date passed, the payments made up to ``on`` are less than the share owed. With
    ``soon_days``, also what falls due within that many days of ``on``
    (``due_soon_quarters``): a quarter ended (a quarter is reported once it has ended) with
    no report, or a share not fully paid, due on ``on`` or later, at most ``soon_days``
    after it.
    """
    if not isinstance(stewards, QuerySet):
        stewards = Steward.objects.filter(pk__in=list(stewards))
    stewards = stewards.filter(kind=Steward.Kind.RESELLER)
    first = _first_quarters(stewards)
    reports = list(
        reports_with_paid(
            # The reports sent by the end of ``on``: one sent later was missing that day.
            RevenueReport.objects.filter(steward__in=stewards, reported_at__lt=day_over(on)),
            on=on,
        ).values_list("steward_id", "quarter_start", "share_eur", "paid_eur", "due_on", "pk")
    )
    # Every quarter end that can matter, for one policies query.
    ends = set()
    for q in first.values():
        while quarter_end(q) < on:
            ends.add(quarter_end(q))
            q = next_quarter(q)
    policies = policies_by_date(ends) if ends else {}
    reported = {(s, q) for s, q, *_rest in reports}
    result = {}
    for steward_id in stewards.values_list("pk", flat=True):
        missing, soon = [], set()
        q = first.get(steward_id)
        while q is not None and quarter_end(q) < on:
            if (steward_id, q) not in reported:
                due = revenue_due_date(q, policies)
                if due < on:
                    missing.append(q)
                elif soon_days is not None and (due - on).days <= soon_days:
                    soon.add(q)
            q = next_quarter(q)
        unpaid = []
        for s, q, share, paid, due_on, _pk in reports:
            if s != steward_id or paid >= share:
                continue
            if due_on < on:
                unpaid.append(q)
            elif soon_days is not None and (due_on - on).days <= soon_days:
                soon.add(q)
        result[steward_id] = ResellerStanding(missing, sorted(unpaid), sorted(soon))
    return result


def share_owed(revenue_eur: Decimal, percent: Decimal) -> Decimal:
    return round_money(revenue_eur * percent / HUNDRED)


def reports_due_for(
    stewards: QuerySet[Steward], *, on: datetime.date
) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """For each reseller among ``stewards``, the quarters that ended before ``on`` with no
    report yet, as (quarter start, due date), oldest first: overdue when the due date is
    before ``on``. Three queries whatever the count (as ``resellers_standing_for``)."""
    stewards = stewards.filter(kind=Steward.Kind.RESELLER)
    first = _first_quarters(stewards)
    reported = set(
        RevenueReport.objects.filter(steward__in=stewards).values_list(
            "steward_id", "quarter_start"
        )
    )
    ends = set()
    for q in first.values():
        while quarter_end(q) < on:
            ends.add(quarter_end(q))
            q = next_quarter(q)
    policies = policies_by_date(ends) if ends else {}
    result: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for steward_id, q in first.items():
        while quarter_end(q) < on:
            if (steward_id, q) not in reported:
                result.setdefault(steward_id, []).append((q, revenue_due_date(q, policies)))
            q = next_quarter(q)
    return result


def reports_by_share(
    reports: QuerySet[RevenueReport], state: str, *, on: datetime.date
) -> QuerySet[RevenueReport]:
    """``reports`` narrowed to one ``state`` of their share: "unpaid" (payments made up to
    ``on`` below the share owed), "overdue" (unpaid and due before ``on``) or "paid"."""
    reports = reports_with_paid(reports, on=on)
    if state == "unpaid":
        return reports.filter(paid_eur__lt=F("share_eur"))
    if state == "overdue":
        return reports.filter(paid_eur__lt=F("share_eur"), due_on__lt=on)
    if state == "paid":
        return reports.filter(paid_eur__gte=F("share_eur"))
    return reports


def shares_to_collect(reports: QuerySet[RevenueReport], *, on: datetime.date) -> dict[str, int]:
    """How many of ``reports`` have their share not fully paid, and how many of those are
    overdue, in one query."""
    unpaid = Q(paid_eur__lt=F("share_eur"))
    return reports_with_paid(reports.order_by(), on=on).aggregate(
        unpaid=Count("pk", filter=unpaid),
        overdue=Count("pk", filter=unpaid & Q(due_on__lt=on)),
    )


def resellers_overdue_past_grace(
    steward_ids: Iterable[int], *, on: datetime.date, grace_days: int
) -> set[int]:
    """The resellers among ``steward_ids`` with a revenue report missing, or its share unpaid
    by ``on``, more than ``grace_days`` after its due date (on the last day of grace: not
    yet), in three queries whatever their number. Same quarters and due dates as
    ``resellers_standing_for``."""
    steward_ids = list(steward_ids)
    if not steward_ids:
        return set()
    last_day = on - datetime.timedelta(days=grace_days)  # due before it: past the grace
    stewards = Steward.objects.filter(pk__in=steward_ids, kind=Steward.Kind.RESELLER)
    first = _first_quarters(stewards)
    reports = list(
        reports_with_paid(
            # The reports sent by the end of ``on``: one sent later was missing that day.
            RevenueReport.objects.filter(steward__in=stewards, reported_at__lt=day_over(on)),
            on=on,
        ).values_list("steward_id", "quarter_start", "share_eur", "paid_eur", "due_on")
    )
    ends = set()
    for q in first.values():
        while quarter_end(q) < last_day:
            ends.add(quarter_end(q))
            q = next_quarter(q)
    policies = policies_by_date(ends) if ends else {}
    reported = {(s, q) for s, q, *_rest in reports}
    overdue = {s for s, _q, share, paid, due_on in reports if due_on < last_day and paid < share}
    for steward_id, q in first.items():
        while steward_id not in overdue and quarter_end(q) < last_day:
            if revenue_due_date(q, policies) < last_day and (steward_id, q) not in reported:
                overdue.add(steward_id)
            q = next_quarter(q)
    return overdue
