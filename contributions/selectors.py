"""Reads of the contributions app: ledger scopes, commitment progress, dues and revenue share.

The set-based selectors (``approved_totals_by_member``, ``unpaid_dues_for``,
``resellers_standing_for``, ``commitment_progress_for``) answer for many rows in a fixed
number of queries, so the nightly status job can call them for 100,000 memberships.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance.models import Circle, CircleRole
from governance.selectors import circle_seats, circles_coordinated_by, seats_on
from meetcoop.core.money import round_money
from meetcoop.core.roles import is_treasurer
from membership.models import Member, Membership, Policy
from membership.rules import progress_percent
from membership.selectors import (
    member_ids_of,
    members_of_user,
    policies_by_date,
    policy_day_expression,
    policy_from,
    policy_in_force,
)
from resellers.models import Steward

from .models import DuesInvoice, DuesPayment, LedgerEntry, RevenueReport, RevenueSharePayment

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

HOURS_STEP = Decimal("0.01")  # hours are kept to two places (HOURS_FIELD)
MONEY_OUT = DecimalField(max_digits=14, decimal_places=2)


# --- who acts for whom ------------------------------------------------------------------------


# Seats, read through governance's selectors.
def members_seated_in(circle: Circle, *, on: datetime.date) -> QuerySet[Member]:
    """Members holding a seat (coordinator or member) in ``circle`` on ``on``."""
    seats = circle_seats(circle, on=on)
    return Member.objects.filter(pk__in=seats.values("member_id")).order_by("name")


def is_seated_in(member, circle: Circle, *, on: datetime.date) -> bool:
    return circle_seats(circle, on=on).filter(member=member).exists()


# Not offered by governance: written here against its models and its ``seats_on`` filter.
def circles_of_members(member_ids: Iterable[int], *, on: datetime.date) -> QuerySet[Circle]:
    seats = CircleRole.objects.filter(seats_on(on), member_id__in=list(member_ids))
    return Circle.objects.filter(pk__in=seats.values("circle_id")).order_by("name")


def coordinates(user, circle_id: int, *, on: datetime.date) -> bool:
    return circles_coordinated_by(user, on=on).filter(pk=circle_id).exists()


def may_decide(user, entry: LedgerEntry, *, on: datetime.date) -> bool:
    """A labour entry is decided by a coordinator of its circle, money and resources by a
    treasurer; nobody decides an entry that credits a member they act for."""
    if not getattr(user, "is_authenticated", False):
        return False
    if entry.member_id in member_ids_of(user):
        return False
    if entry.kind == LedgerEntry.Kind.LABOUR:
        return coordinates(user, entry.circle_id, on=on)
    return is_treasurer(user)


def decidable_ids(user, entries, *, on: datetime.date) -> set[int]:
    """The ids among ``entries`` that ``user`` may decide or reverse, in at most two queries
    whatever their number (``may_decide`` for a list)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    own = member_ids_of(user)
    treasurer = is_treasurer(user)
    circles = set(circles_coordinated_by(user, on=on).values_list("pk", flat=True))
    return {
        e.pk
        for e in entries
        if e.member_id not in own
        and (e.circle_id in circles if e.kind == LedgerEntry.Kind.LABOUR else treasurer)
    }


# --- ledger scopes ----------------------------------------------------------------------------


def entries_visible_to(user, *, on: datetime.date) -> QuerySet[LedgerEntry]:
    """Treasurers see every entry; coordinators the labour of their circles; everyone their own."""
    qs = LedgerEntry.objects.select_related("member", "circle", "logged_by", "decided_by")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_treasurer(user):
        return qs
    own = Q(member__in=members_of_user(user))
    circles = circles_coordinated_by(user, on=on)
    return qs.filter(own | Q(kind=LedgerEntry.Kind.LABOUR, circle__in=circles)).distinct()


def pending_labour_queue(user, *, on: datetime.date) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(
            status=LedgerEntry.Status.PENDING,
            kind=LedgerEntry.Kind.LABOUR,
            circle__in=circles_coordinated_by(user, on=on),
        )
        .select_related("member", "circle", "logged_by")
        .order_by("occurred_on", "id")
    )


def pending_money_queue() -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(
            status=LedgerEntry.Status.PENDING,
            kind__in=[LedgerEntry.Kind.MONEY, LedgerEntry.Kind.RESOURCE],
        )
        .select_related("member", "logged_by")
        .order_by("occurred_on", "id")
    )


# --- commitment progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    percent: Decimal
    money_eur: Decimal
    hours: Decimal
    commitment_money: Decimal
    commitment_hours: Decimal
    currency: str

    @property
    def fulfilled(self) -> bool:
        return self.percent >= HUNDRED

    @property
    def bar_percent(self) -> Decimal:
        return max(ZERO, min(self.percent, HUNDRED))


def _approved_sum(field: str, kinds, *, on: datetime.date | None):
    entries = LedgerEntry.objects.filter(
        member_id=OuterRef("member_id"), status=LedgerEntry.Status.APPROVED, kind__in=kinds
    )
    if on is not None:
        entries = entries.filter(decided_at__date__lte=on)
    total = entries.order_by().values("member_id").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY_OUT), Value(ZERO), output_field=MONEY_OUT)


def with_commitment_totals(
    memberships: QuerySet[Membership], *, on: datetime.date | None = None
) -> QuerySet[Membership]:
    """Annotate memberships with their approved money+resources (EUR), hours, and the
    commitment of the policy in force on their ``policy_date``: one SQL query in all."""
    policy = Policy.objects.filter(effective_from__lte=OuterRef("policy_day")).order_by(
        "-effective_from"
    )
    return memberships.annotate(
        policy_day=policy_day_expression(),
        approved_eur=_approved_sum("eur_value", ["money", "resource"], on=on),
        approved_hours=_approved_sum("hours", ["labour"], on=on),
        commitment_money=Subquery(policy.values("commitment_money")[:1], output_field=MONEY_OUT),
        commitment_hours=Subquery(policy.values("commitment_hours")[:1], output_field=MONEY_OUT),
        commitment_currency=Subquery(policy.values("currency")[:1]),
    )


def approved_totals_by_member(
    member_ids, *, on: datetime.date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """{member_id: (approved money + resources in EUR, approved hours)}: one GROUP BY over the
    ledger for the members of ``member_ids`` (ids, or a subquery of them)."""
    entries = LedgerEntry.objects.filter(
        status=LedgerEntry.Status.APPROVED, member_id__in=member_ids
    )
    if on is not None:
        next_day = datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
        entries = entries.filter(decided_at__lt=timezone.make_aware(next_day))
    rows = (
        entries.order_by()
        .values("member_id")
        .annotate(
            eur=Sum("eur_value", filter=Q(kind__in=["money", "resource"])),
            hours=Sum("hours", filter=Q(kind="labour")),
        )
        .values_list("member_id", "eur", "hours")
    )
    return {member_id: (eur or ZERO, hours or ZERO) for member_id, eur, hours in rows}


def commitment_progress_for(
    memberships: QuerySet[Membership] | Iterable[int], *, on: datetime.date | None = None
) -> dict[int, Decimal]:
    """Percent of the commitment fulfilled for each membership (id -> Decimal), in three
    queries whatever their number: the memberships, one GROUP BY over the ledger, the policies.

    Takes a queryset of memberships or an iterable of ids; ``on`` counts only entries decided
    on or before that day. A membership with no policy in force on its policy date is left out.
    """
    if not isinstance(memberships, QuerySet):
        memberships = Membership.objects.filter(pk__in=list(memberships))
    memberships = memberships.order_by()
    rows = list(
        memberships.annotate(policy_day=policy_day_expression()).values_list(
            "pk", "member_id", "policy_day"
        )
    )
    totals = approved_totals_by_member(memberships.values("member_id"), on=on)
    policies = list(Policy.objects.order_by("effective_from"))
    result = {}
    for pk, member_id, policy_day in rows:
        policy = policy_from(policies, policy_day)
        if policy is None:
            continue
        money, hours = totals.get(member_id, (ZERO, ZERO))
        result[pk] = progress_percent(
            money, hours, policy.commitment_money, policy.commitment_hours
        )
    return result


def commitment_progress(membership: Membership, *, on: datetime.date | None = None) -> Progress:
    """The progress of one operational membership, with the numbers behind it."""
    row = (
        with_commitment_totals(Membership.objects.filter(pk=membership.pk), on=on)
        .values(
            "approved_eur",
            "approved_hours",
            "commitment_money",
            "commitment_hours",
            "commitment_currency",
        )
        .get()
    )
    if row["commitment_money"] is None:
        policy_in_force(on=membership.policy_date)  # raises PolicyMissing with a clear message
    # SQLite sums decimals as floating point and hands back 375.010000000000: to cents.
    money = round_money(Decimal(row["approved_eur"]))
    hours = Decimal(row["approved_hours"]).quantize(HOURS_STEP)
    return Progress(
        percent=progress_percent(money, hours, row["commitment_money"], row["commitment_hours"]),
        money_eur=money,
        hours=hours,
        commitment_money=round_money(Decimal(row["commitment_money"])),
        commitment_hours=row["commitment_hours"],
        currency=row["commitment_currency"],
    )


# --- dues -------------------------------------------------------------------------------------


def _paid_by(on: datetime.date):
    paid = (
        DuesPayment.objects.filter(invoice_id=OuterRef("pk"), paid_on__lte=on)
        .order_by()
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(paid, output_field=MONEY_OUT), Value(ZERO), output_field=MONEY_OUT)


def invoices_with_paid(qs: QuerySet[DuesInvoice], *, on: datetime.date) -> QuerySet[DuesInvoice]:
    return qs.annotate(paid=_paid_by(on))


def unpaid_dues_for(
    memberships: QuerySet[Membership] | Iterable[int], *, on: datetime.date
) -> dict[int, list[tuple[datetime.date, Decimal, str]]]:
    """For each membership, its invoices already due on ``on`` and not fully paid by payments
    made up to ``on``: (due_on, outstanding amount, currency), oldest first. One query.
    Memberships with nothing unpaid are absent. (The status rules add the grace period.)"""
    if isinstance(memberships, QuerySet):
        invoices = DuesInvoice.objects.filter(membership__in=memberships.values("pk"))
    else:
        invoices = DuesInvoice.objects.filter(membership_id__in=list(memberships))
    # A GROUP BY over the invoices joined to their payments: one hash aggregate, not a
    # subquery per invoice (this runs over every user membership each night).
    rows = (
        invoices.filter(due_on__lte=on)
        .order_by()
        .annotate(
            paid=Coalesce(
                Sum("payments__amount", filter=Q(payments__paid_on__lte=on)),
                Value(ZERO),
                output_field=MONEY_OUT,
            )
        )
        .filter(paid__lt=F("amount"))
        .values_list("membership_id", "due_on", "amount", "paid", "currency")
    )
    rows = sorted(rows, key=lambda row: (row[0], row[1]))
    result: dict[int, list] = {}
    for membership_id, due_on, amount, paid, currency in rows:
        result.setdefault(membership_id, []).append((due_on, amount - paid, currency))
    return result


# --- revenue share ----------------------------------------------------------------------------


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


def resellers_standing_for(
    stewards: QuerySet[Steward] | Iterable[int], *, on: datetime.date
) -> dict[int, ResellerStanding]:
    """What each reseller has overdue on ``on``, in three queries whatever the count.

    A quarter's report is overdue when its due date (see ``revenue_due_date``) is before
    ``on`` and no report exists; its share is overdue when, on that same due date passed,
    the payments made up to ``on`` are less than the share owed.
    """
    if not isinstance(stewards, QuerySet):
        stewards = Steward.objects.filter(pk__in=list(stewards))
    stewards = stewards.filter(kind=Steward.Kind.RESELLER)
    first = _first_quarters(stewards)
    reports = list(
        reports_with_paid(RevenueReport.objects.filter(steward__in=stewards), on=on).values_list(
            "steward_id", "quarter_start", "share_eur", "paid_eur", "due_on", "pk"
        )
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
        missing = []
        q = first.get(steward_id)
        while q is not None and quarter_end(q) < on:
            if revenue_due_date(q, policies) < on and (steward_id, q) not in reported:
                missing.append(q)
            q = next_quarter(q)
        unpaid = sorted(
            q
            for s, q, share, paid, due_on, _pk in reports
            if s == steward_id and due_on < on and paid < share
        )
        result[steward_id] = ResellerStanding(missing, unpaid)
    return result


def share_owed(revenue_eur: Decimal, percent: Decimal) -> Decimal:
    return round_money(revenue_eur * percent / HUNDRED)
