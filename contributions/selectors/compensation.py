"""What the co-op owes members for hours: per member and currency, and in all."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum, Value

from meetcoop.core.money import Money, round_money

from ..models import Compensation, CompensationSettlement
from ._common import MONEY_OUT, ZERO


@dataclass(frozen=True)
class Balance:
    currency: str
    owed: Decimal
    settled: Decimal

    @property
    def outstanding(self) -> Money:
        return Money(round_money(self.owed - self.settled), self.currency)


def compensation_balances(member_ids) -> dict[int, list[Balance]]:
    """{member_id: [Balance per currency]} for ``member_ids``, in one query whatever their
    number (what was owed and what was settled, summed side by side). Members with nothing
    owed or settled are left out."""
    owed = (
        Compensation.objects.filter(member_id__in=member_ids)
        .order_by()
        .values_list("member_id", "currency")
        .annotate(owed=Sum("amount"), settled=Value(ZERO, output_field=MONEY_OUT))
    )
    settled = (
        CompensationSettlement.objects.filter(member_id__in=member_ids)
        .order_by()
        .values_list("member_id", "currency")
        .annotate(owed=Value(ZERO, output_field=MONEY_OUT), settled=Sum("amount"))
    )
    sums = defaultdict(lambda: [ZERO, ZERO])
    for member_id, currency, owed_sum, settled_sum in owed.union(settled, all=True):
        sums[(member_id, currency)][0] += Decimal(owed_sum or ZERO)
        sums[(member_id, currency)][1] += Decimal(settled_sum or ZERO)
    result = defaultdict(list)
    for (member_id, currency), (owed_sum, settled_sum) in sorted(sums.items()):
        if owed_sum or settled_sum:
            result[member_id].append(Balance(currency, owed_sum, settled_sum))
    return dict(result)


def compensation_outstanding_total() -> list[Money]:
    """What the co-op owes in all, per currency (only currencies with something owed)."""
    owed = dict(
        Compensation.objects.order_by().values_list("currency").annotate(total=Sum("amount"))
    )
    settled = dict(
        CompensationSettlement.objects.order_by()
        .values_list("currency")
        .annotate(total=Sum("amount"))
    )
    totals = []
    for currency in sorted(owed):
        outstanding = round_money(
            Decimal(owed[currency] or ZERO) - Decimal(settled.get(currency) or ZERO)
        )
        if outstanding:
            totals.append(Money(outstanding, currency))
    return totals
