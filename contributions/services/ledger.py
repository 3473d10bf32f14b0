"""Ledger writes: labour (one member or several at once), money and resources, deciding and
reversing entries; and the input checks the other service modules share."""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log, audit_log_many
from meetcoop.core.dates import check_plausible, date_medium
from meetcoop.core.errors import DomainError
from meetcoop.core.money import MONEY_FIELD, Money, round_money, validate_currency
from meetcoop.core.roles import is_treasurer
from membership.selectors import conversion_rate, member_ids_of, policy_in_force

from .. import selectors
from ..models import MAX_HOURS, MIN_HOURS, RATE_FIELD, LedgerEntry

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
    """A day something was done, given or paid: not after ``on``, nor further back than a
    person can mean (``check_plausible``: a slip like year 1 would count for ever)."""
    if day > on:
        raise DomainError(_("The date can't be in the future."), code="future")
    check_plausible(day, today=on)


def _check_positive(value, label: str) -> Decimal:
    value = _decimal(value, label)
    if value <= 0:
        raise DomainError(_("%(label)s must be more than zero.") % {"label": label})
    return value


def _positive_money(value, label: str) -> Decimal:
    """An amount of money rounded to cents, then checked: 0.004 is no money at all, not an
    amount of 0.00."""
    return _check_positive(round_money(_decimal(value, label)), label)


def _largest(field: dict) -> Decimal:
    """The largest value a decimal column of ``field`` (max_digits, decimal_places) holds."""
    places = field["decimal_places"]
    return Decimal(10) ** (field["max_digits"] - places) - Decimal(1).scaleb(-places)


MONEY_MAX = _largest(MONEY_FIELD)  # 9,999,999,999.99


def _check_not_too_large(value: Decimal, label: str, *, field: dict) -> Decimal:
    """``value`` no larger than a column of ``field`` holds (checked before rounding it: a
    value of more digits than Decimal's context can't even be rounded)."""
    if abs(value) > _largest(field):
        raise DomainError(
            _("%(label)s can be at most %(largest)s.")
            % {"label": label, "largest": format_decimal(_largest(field), locale=_locale())},
            code="too_large",
        )
    return value


def _check_fits(value: Decimal, label: str, *, field: dict) -> Decimal:
    """``value`` as its column stores it: no larger than the column holds, and with no more
    decimal places than it keeps (a value the database would round, or could not hold,
    would no longer be what was typed, or could not be read back)."""
    places = field["decimal_places"]
    _check_not_too_large(value, label, field=field)
    if -value.normalize().as_tuple().exponent > places:
        raise DomainError(
            ngettext(
                "%(label)s can have at most %(places)s decimal place.",
                "%(label)s can have at most %(places)s decimal places.",
                places,
            )
            % {"label": label, "places": places},
            code="places",
        )
    return value


def _locale() -> str:
    return (get_language() or "en").replace("-", "_")


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
    paid_work: bool = False,
    waged_role=None,
) -> LedgerEntry:
    """Log hours for ``member`` in ``circle``. A coordinator of the circle logs for members
    seated in it; a member self-reports its own hours. Every labour entry starts pending.
    Only a coordinator marks hours as agreed in advance as paid work. Hours in a waged role
    the member held that day are paid work: the role pays them."""
    on = _today(on)
    own = member.pk in member_ids_of(actor)
    coordinates = selectors.coordinates(actor, circle.pk, on=on)
    if not own and not coordinates:
        raise PermissionDenied(_("Only a coordinator of this circle may log hours for others."))
    if paid_work and not coordinates:
        raise DomainError(
            _("Only a coordinator of the circle records hours agreed as paid work."),
            field="paid_work",
        )
    if waged_role is not None:
        held = waged_role.holders.filter(member=member, started_on__lte=worked_on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=worked_on)
        )
        if not held.exists():
            raise DomainError(
                _("%(member)s did not hold the role %(role)s on %(date)s.")
                % {"member": member, "role": waged_role, "date": date_medium(worked_on)},
                field="waged_role",
            )
        paid_work = True
    hours = _check_hours(hours)
    _check_not_future(worked_on, on)
    if not description.strip():
        raise DomainError(_("Say what was done."), code="description")
    if not selectors.is_seated_in(member, circle, on=worked_on):
        raise DomainError(
            _("%(member)s did not sit in %(circle)s on %(date)s.")
            % {"member": member, "circle": circle, "date": date_medium(worked_on)},
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
            paid_work=paid_work,
            waged_role=waged_role,
        )
        audit_log(
            actor=actor,
            action="contributions.entry.logged",
            obj=entry,
            data={
                "kind": entry.kind,
                "hours": str(hours),
                "self_reported": own,
                "paid_work": paid_work,
            },
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
    paid_work: bool = False,
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
                % {"member": member, "circle": circle, "date": date_medium(worked_on)},
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
                    paid_work=paid_work,
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
                "paid_work": entry.paid_work,
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
    pledge_invoice=None,
    source_key: str = "",
) -> LedgerEntry:
    """A treasurer records money a member gave. Its value in the policy currency is computed
    once here (amount x rate, rounded to cents) and stored.

    ``pledge_invoice``: the member's pledge invoice it pays. ``source_key``: where it came
    from (a bank statement's entry, a provider's event); a second call with the same key
    returns the entry already recorded."""
    on = _today(on)
    if not is_treasurer(actor):
        raise PermissionDenied(_("Only a treasurer records money."))
    amount = _check_fits(
        _check_positive(amount, _("The amount")), _("The amount"), field=MONEY_FIELD
    )
    validate_currency(currency)
    _check_not_future(received_on, on)
    eur_rate, eur_value = _money_value(
        amount=amount, currency=currency, eur_rate=eur_rate, received_on=received_on
    )
    if pledge_invoice is not None and pledge_invoice.membership.member_id != member.pk:
        raise DomainError(_("This pledge invoice is another member's."), code="pledge_invoice")
    with transaction.atomic():
        entry = _money_entry_create(
            member_id=member.pk,
            amount=amount,
            currency=currency,
            eur_rate=eur_rate,
            eur_value=eur_value,
            received_on=received_on,
            description=description.strip(),
            description_code="" if description.strip() else "money",
            actor=actor,
            pledge_invoice=pledge_invoice,
            source_key=source_key,
        )
    return entry


def _money_value(*, amount: Decimal, currency: str, eur_rate, received_on) -> tuple:
    """(rate, value in the policy currency) of money received on ``received_on``: the rate
    given, or the co-op's dated rate for the day; 1 for the policy currency. The value is
    amount x rate rounded to cents, and never less than one cent."""
    base = policy_in_force(on=received_on).currency
    if currency == base:
        if eur_rate not in (None, "") and _decimal(eur_rate, _("The rate")) != 1:
            raise DomainError(
                _("Money in %(currency)s has a rate of 1.") % {"currency": base}, code="rate"
            )
        eur_rate = Decimal("1")
    elif eur_rate in (None, ""):  # the co-op's dated rate for the day it was received
        eur_rate = conversion_rate(currency=currency, base=base, on=received_on)
    else:
        eur_rate = _check_fits(
            _check_positive(eur_rate, _("The rate")), _("The rate"), field=RATE_FIELD
        )
    eur_value = round_money(amount * eur_rate)
    if eur_value > MONEY_MAX:
        raise DomainError(
            _(
                "At this rate the amount would be worth more than %(largest)s: check the "
                "amount and the rate."
            )
            % {"largest": Money(MONEY_MAX, base)},
            code="too_large",
        )
    if eur_value <= 0:
        raise DomainError(_("The amount is worth less than one cent."), code="amount")
    return eur_rate, eur_value


def _money_entry_create(
    *,
    member_id: int,
    amount: Decimal,
    currency: str,
    eur_rate: Decimal,
    eur_value: Decimal,
    received_on: datetime.date,
    description: str,
    actor,
    pledge_invoice=None,
    source_key: str = "",
    approved: bool = False,
    description_code: str = "",
) -> LedgerEntry:
    """Write a money entry and its audit record (inside the caller's transaction): what
    ``money_record`` writes for a treasurer, pending; ``approved`` with ``actor`` None, what
    the system writes on a payment provider's verified message (the message, named by
    ``source_key``, is the evidence; no person logs or decides it). Once per ``source_key``:
    a second call returns the entry already written."""
    if source_key:
        existing = LedgerEntry.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    decision = {}
    if approved:
        now = timezone.now()
        decision = {
            "logged_at": now,
            "status": LedgerEntry.Status.APPROVED,
            "decided_by": actor,
            "decided_at": now,
        }
    entry = LedgerEntry.objects.create(
        member_id=member_id,
        kind=LedgerEntry.Kind.MONEY,
        pledge_invoice=pledge_invoice,
        source_key=source_key,
        occurred_on=received_on,
        description=description,
        description_code=description_code,
        amount=amount,
        currency=currency,
        eur_rate=eur_rate,
        eur_value=eur_value,
        logged_by=actor,
        **decision,
    )
    data = {
        "kind": entry.kind,
        "amount": str(amount),
        "currency": currency,
        "eur_rate": str(eur_rate),
        "eur_value": str(eur_value),
    }
    if approved:
        data |= {"source": source_key, "approved": True}
    audit_log(actor=actor, action="contributions.entry.logged", obj=entry, data=data)
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
    eur_value = _check_positive(eur_value, _("The value"))
    eur_value = round_money(_check_not_too_large(eur_value, _("The value"), field=MONEY_FIELD))
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
        if status == LedgerEntry.Status.APPROVED:
            from .compensation import compensation_accrue

            compensation_accrue(entry=entry)
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
        reversal = _reversal_create(original=original, reason=reason.strip(), actor=actor, on=on)
        from .compensation import compensation_reverse

        compensation_reverse(original=original, reversal=reversal)
    return reversal


def _reversal_create(
    *,
    original: LedgerEntry,
    reason: str = "",
    reason_code: str = "",
    actor,
    on: datetime.date,
    audit_data=None,
) -> LedgerEntry:
    """Write the reversal of ``original`` (locked by the caller, inside its transaction) and
    its audit record: a new approved entry of the opposite sign pointing at it. What
    ``entry_reverse`` writes for a person (``reason``: their words); with ``actor`` None, what
    the system writes on a payment provider's refund (``reason_code``: a code of
    ``contributions.reasons``). Its description is a code, worded when read. An entry is
    reversed at most once."""
    now = timezone.now()
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                member_id=original.member_id,
                kind=original.kind,
                occurred_on=on,
                description="",
                description_code="reversal",
                description_params={"id": original.pk},
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
                reason=reason,
                reason_code=reason_code,
                paid_work=original.paid_work,
            )
    except IntegrityError as exc:
        raise DomainError(_("This entry has already been reversed."), code="reversed") from exc
    audit_log(
        actor=actor,
        action="contributions.entry.reversed",
        obj=original,
        data={
            "reversal": reversal.pk,
            **({"reason_code": reason_code} if reason_code else {"reason": reversal.reason}),
            **(audit_data or {}),
        },
    )
    return reversal
