"""Commitment progress: approved totals per member and how much of the commitment they fulfil."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetcoop.core.db import among
from meetcoop.core.money import round_money
from membership.models import Membership, Policy
from membership.rules import progress_percent
from membership.selectors import policy_day_expression, policy_from, policy_in_force

from ..models import LedgerEntry
from ._common import HUNDRED, MONEY_OUT, ZERO

HOURS_STEP = Decimal("0.01")  # hours are kept to two places (HOURS_FIELD)


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
    ).exclude(paid_work=True)  # paid work is owed, never voluntary
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
    ledger for the members of ``member_ids`` (ids, or a queryset of them: ``among``)."""
    entries = LedgerEntry.objects.filter(
        among("member_id", member_ids), status=LedgerEntry.Status.APPROVED
    )
    if on is not None:
        next_day = datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
        entries = entries.filter(decided_at__lt=timezone.make_aware(next_day))
    rows = (
        entries.order_by()
        .values("member_id")
        .annotate(
            eur=Sum("eur_value", filter=Q(kind__in=["money", "resource"])),
            # Hours agreed as paid work are owed by the co-op, never voluntary.
            hours=Sum("hours", filter=Q(kind="labour", paid_work=False)),
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


def progress_of(money, hours, *, commitment_money, commitment_hours, currency: str) -> Progress:
    """The progress that approved totals (money + resources in EUR, hours, as the database
    summed them) make towards a commitment. No query: for a page that has the totals already
    (``approved_totals_by_member``) and the policy that binds the membership."""
    # SQLite sums decimals as floating point and hands back 375.010000000000: to cents.
    money = round_money(Decimal(money))
    hours = Decimal(hours).quantize(HOURS_STEP)
    return Progress(
        percent=progress_percent(money, hours, commitment_money, commitment_hours),
        money_eur=money,
        hours=hours,
        commitment_money=round_money(Decimal(commitment_money)),
        commitment_hours=commitment_hours,
        currency=currency,
    )


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
    return progress_of(
        row["approved_eur"],
        row["approved_hours"],
        commitment_money=row["commitment_money"],
        commitment_hours=row["commitment_hours"],
        currency=row["commitment_currency"],
    )
