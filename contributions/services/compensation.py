"""Compensation the co-op owes for hours: accrued when hours are approved, settled by a
treasurer (paid to the member, or waived by them). Every row is written once.

Hours become owed when the policy in force on the day the work was done sets a rate per hour
(``Policy.compensation_hour_rate``):

- hours agreed in advance as paid work (``LedgerEntry.paid_work``): every hour;
- voluntary hours: the part of an approved entry beyond what the member's operational
  commitment still needed when it was approved (money and hours add up, as for progress).
"""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.money import Money, round_money, validate_currency
from meetcoop.core.roles import is_treasurer
from membership.models import Member, Membership, Policy
from membership.selectors import policy_from

from ..models import Compensation, CompensationSettlement, LedgerEntry
from ..selectors.compensation import compensation_balances
from ..selectors.progress import commitment_progress
from .ledger import _check_not_future, _positive_money, _today

HOURS_STEP = Decimal("0.01")
ZERO = Decimal("0")


def _rate_on(day: datetime.date) -> Policy | None:
    policy = policy_from(list(Policy.objects.order_by("effective_from")), day)
    if policy is None or not policy.compensation_hour_rate:
        return None
    return policy


def _voluntary_hours_beyond(entry: LedgerEntry) -> Decimal:
    """How many of ``entry``'s hours (already approved, so counted) go beyond the member's
    commitment: 0 while the commitment is not reached, all of them once it was before."""
    membership = (
        Membership.objects.filter(member_id=entry.member_id, type=Membership.Type.OPERATIONAL)
        .exclude(status=Membership.Status.ENDED)
        .order_by("-pk")
        .first()
    )
    if membership is None:
        return ZERO  # no commitment, nothing is "beyond" it: see docs/decisions.md
    progress = commitment_progress(membership)
    hours_before = progress.hours - entry.hours
    done_before = Decimal(progress.money_eur) / progress.commitment_money + (
        hours_before / progress.commitment_hours
    )
    still_needed = max(ZERO, (1 - done_before) * progress.commitment_hours)
    beyond = max(ZERO, entry.hours - still_needed)
    return beyond.quantize(HOURS_STEP, rounding=ROUND_DOWN)


def compensation_accrue(*, entry: LedgerEntry) -> Compensation | None:
    """Write what the co-op owes for a labour entry just approved (inside the approval's
    transaction, which it extends with a lock on the member for voluntary hours). Nothing
    when no rate is set for the day or no hour is owed."""
    if entry.kind != LedgerEntry.Kind.LABOUR or entry.is_reversal or entry.waged_role_id:
        return None  # a waged role's hours are paid by the role
    policy = _rate_on(entry.occurred_on)
    if policy is None:
        return None
    if entry.paid_work:
        basis, hours = Compensation.Basis.AGREED, entry.hours
    else:
        # What is beyond depends on the member's other approved entries: two of their entries
        # approved at once are taken one after the other (each sees the other once it has
        # committed), or neither would see the other and the hours beyond would be lost.
        Member.objects.select_for_update().get(pk=entry.member_id)
        basis, hours = Compensation.Basis.BEYOND, _voluntary_hours_beyond(entry)
    if hours <= 0:
        return None
    rate = policy.compensation_hour_rate
    compensation = Compensation.objects.create(
        member_id=entry.member_id,
        entry=entry,
        basis=basis,
        hours=hours,
        rate=rate,
        amount=round_money(hours * rate),
        currency=policy.currency,
    )
    audit_log(
        actor=entry.decided_by,
        action="contributions.compensation.owed",
        obj=compensation,
        data={"entry": entry.pk, "hours": str(hours), "amount": str(compensation.amount)},
    )
    return compensation


def compensation_reverse(*, original: LedgerEntry, reversal: LedgerEntry) -> None:
    """A reversed entry's compensation is cancelled by a row of the opposite sign."""
    owed = Compensation.objects.filter(entry=original).first()
    if owed is None:
        return
    Compensation.objects.create(
        member_id=owed.member_id,
        entry=reversal,
        basis=owed.basis,
        hours=-owed.hours,
        rate=owed.rate,
        amount=-owed.amount,
        currency=owed.currency,
    )


def compensation_outstanding(*, member, currency: str) -> Decimal:
    """What is still owed to ``member`` in ``currency`` (the selector's balance)."""
    for balance in compensation_balances([member.pk]).get(member.pk, []):
        if balance.currency == currency:
            return balance.outstanding.amount
    return round_money(ZERO)


def compensation_settle(
    *,
    member,
    amount,
    currency: str,
    kind: str,
    settled_on: datetime.date,
    note: str = "",
    actor,
    on: datetime.date | None = None,
) -> CompensationSettlement:
    """A treasurer records that compensation owed to ``member`` was paid, or waived by the
    member. Never more than is outstanding in that currency; two treasurers settling at once
    are taken one after the other."""
    on = _today(on)
    if not is_treasurer(actor):
        raise PermissionDenied(_("Only a treasurer records a settlement."))
    if kind not in CompensationSettlement.Kind.values:
        raise DomainError(_("Say whether it was paid or waived."), field="kind")
    amount = _positive_money(amount, _("The amount"))
    validate_currency(currency)
    _check_not_future(settled_on, on)
    if kind == CompensationSettlement.Kind.WAIVED and not note.strip():
        raise DomainError(
            _("Say how the member waived it (their words, or where they said so)."), field="note"
        )
    with transaction.atomic():
        Member.objects.select_for_update().get(pk=member.pk)
        outstanding = compensation_outstanding(member=member, currency=currency)
        if amount > outstanding:
            raise DomainError(
                _("Only %(outstanding)s is owed to %(member)s; nothing more can be settled.")
                % {"outstanding": Money(outstanding, currency), "member": member},
                field="amount",
            )
        settlement = CompensationSettlement.objects.create(
            member=member,
            kind=kind,
            amount=amount,
            currency=currency,
            settled_on=settled_on,
            note=note.strip()[:200],
            recorded_by=actor,
        )
        audit_log(
            actor=actor,
            action="contributions.compensation.settled",
            obj=settlement,
            data={"member": member.pk, "amount": str(amount), "currency": currency, "kind": kind},
        )
    return settlement
