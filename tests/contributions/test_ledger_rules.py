import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from contributions import services
from contributions.models import LedgerEntry
from meetcoop.core.models import AppendOnlyError

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def log(coop, *, who=None, actor=None, hours="2", worked_on=datetime.date(2026, 6, 1), circle=None):
    return services.labour_log(
        member=(who or coop.member).member,
        circle=circle or coop.tech,
        hours=hours,
        worked_on=worked_on,
        description="Wrote the docs",
        actor=(actor or coop.coord_a).user,
        on=TODAY,
    )


def approved(coop, **kwargs):
    return services.entry_approve(entry=log(coop, **kwargs), actor=coop.coord_b.user, on=TODAY)


# --- plausible input --------------------------------------------------------------------------


@pytest.mark.parametrize("hours", ["0.25", "24", "7.5"])
def test_hours_within_bounds_are_accepted(coop, hours):
    assert log(coop, hours=hours).hours == Decimal(hours)


@pytest.mark.parametrize("hours", ["0.24", "24.01", "0", "-3", "abc", "NaN"])
def test_hours_out_of_bounds_are_refused(coop, hours):
    with pytest.raises(ValidationError):
        log(coop, hours=hours)


def test_a_day_worked_today_is_accepted_tomorrow_refused(coop):
    assert log(coop, worked_on=TODAY).occurred_on == TODAY
    with pytest.raises(ValidationError, match="future"):
        log(coop, worked_on=TODAY + datetime.timedelta(days=1))


def test_hours_for_someone_not_seated_in_the_circle_are_refused(coop):
    with pytest.raises(ValidationError, match="did not sit"):
        log(coop, who=coop.stranger)


def test_every_labour_entry_starts_pending(coop):
    entry = log(coop)
    assert entry.status == LedgerEntry.Status.PENDING
    assert entry.logged_by == coop.coord_a.user


# --- who may log and decide -------------------------------------------------------------------


def test_a_member_self_reports_its_own_hours(coop):
    entry = log(coop, actor=coop.member)
    assert entry.status == "pending" and entry.member == coop.member.member


def test_a_member_may_not_log_hours_for_another(coop):
    with pytest.raises(PermissionDenied):
        log(coop, who=coop.coord_a, actor=coop.member)


def test_coordinator_of_another_circle_may_not_log(coop):
    with pytest.raises(PermissionDenied):
        log(coop, actor=coop.coord_out)


def test_coordinator_of_another_circle_may_not_approve(coop):
    entry = log(coop)
    with pytest.raises(PermissionDenied):
        services.entry_approve(entry=entry, actor=coop.coord_out.user, on=TODAY)
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_a_coordinator_may_not_approve_its_own_hours(coop):
    entry = log(coop, who=coop.coord_a, actor=coop.coord_a)
    with pytest.raises(PermissionDenied, match="own"):
        services.entry_approve(entry=entry, actor=coop.coord_a.user, on=TODAY)
    # another coordinator of the circle may
    assert services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY).status == (
        "approved"
    )


def test_a_treasurer_may_not_approve_labour(coop):
    with pytest.raises(PermissionDenied):
        services.entry_approve(entry=log(coop), actor=coop.treasurer.user, on=TODAY)


def test_a_coordinator_whose_seat_ended_may_not_approve(coop):
    seat = coop.coord_b.member.circle_roles.get()
    seat.ended_on = TODAY - datetime.timedelta(days=1)
    seat.save()
    with pytest.raises(PermissionDenied):
        services.entry_approve(entry=log(coop), actor=coop.coord_b.user, on=TODAY)


def test_deciding_twice_is_a_clear_error(coop):
    entry = approved(coop)
    with pytest.raises(ValidationError, match="already"):
        services.entry_reject(entry=entry, actor=coop.coord_b.user, on=TODAY)


def test_decision_records_who_and_when(coop):
    entry = approved(coop)
    assert entry.decided_by == coop.coord_b.user and entry.decided_at is not None


def test_only_a_treasurer_records_money(coop):
    with pytest.raises(PermissionDenied):
        services.money_record(
            member=coop.member.member,
            amount="10",
            currency="EUR",
            received_on=TODAY,
            description="",
            actor=coop.coord_a.user,
            on=TODAY,
        )


def test_money_needs_a_positive_amount_and_an_iso_currency(coop):
    base = {
        "member": coop.member.member,
        "received_on": TODAY,
        "description": "",
        "actor": coop.treasurer.user,
        "on": TODAY,
    }
    with pytest.raises(ValidationError):
        services.money_record(amount="0", currency="EUR", **base)
    with pytest.raises(ValidationError):
        services.money_record(amount="-5", currency="EUR", **base)
    with pytest.raises(ValidationError, match="currencies the co-op takes"):
        services.money_record(amount="5", currency="XYZ", **base)
    with pytest.raises(ValidationError, match="rate"):
        services.money_record(amount="5", currency="CAD", **base)
    with pytest.raises(ValidationError, match="rate of 1"):
        services.money_record(amount="5", currency="EUR", eur_rate="2", **base)


def test_currency_conversion_is_computed_once_and_rounded_half_up(coop):
    entry = services.money_record(
        member=coop.member.member,
        amount=Decimal("10.00"),
        currency="CAD",
        eur_rate=Decimal("0.6825"),
        received_on=TODAY,
        description="",
        actor=coop.treasurer.user,
        on=TODAY,
    )
    entry.refresh_from_db()
    assert entry.eur_value == Decimal("6.83")  # 6.825 rounds half up
    assert (entry.amount, entry.currency, entry.eur_rate) == (
        Decimal("10.00"),
        "CAD",
        Decimal("0.682500"),
    )


def test_a_treasurer_approves_money_but_not_its_own(coop):
    kwargs = {
        "amount": "50",
        "currency": "EUR",
        "received_on": TODAY,
        "description": "",
        "on": TODAY,
    }
    other = services.money_record(member=coop.member.member, actor=coop.treasurer.user, **kwargs)
    own = services.money_record(member=coop.treasurer.member, actor=coop.treasurer.user, **kwargs)
    assert services.entry_approve(entry=other, actor=coop.treasurer.user, on=TODAY).status == (
        "approved"
    )
    with pytest.raises(PermissionDenied):
        services.entry_approve(entry=own, actor=coop.treasurer.user, on=TODAY)
    with pytest.raises(PermissionDenied):
        services.entry_approve(entry=own, actor=coop.coord_a.user, on=TODAY)


def test_a_resource_is_recorded_at_its_eur_value(coop):
    entry = services.resource_record(
        member=coop.member.member,
        description="A server for a year",
        eur_value="240",
        given_on=TODAY,
        actor=coop.treasurer.user,
        on=TODAY,
    )
    assert entry.kind == "resource" and entry.eur_value == Decimal("240.00")


# --- append-only ------------------------------------------------------------------------------


def test_an_approved_entry_cannot_be_saved_or_deleted(coop):
    entry = LedgerEntry.objects.get(pk=approved(coop).pk)
    entry.hours = Decimal("20")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.00")


def test_a_stale_pending_copy_cannot_overwrite_a_decision(coop):
    entry = log(coop)
    stale = LedgerEntry.objects.get(pk=entry.pk)
    services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY)
    stale.hours = Decimal("20")
    with pytest.raises(AppendOnlyError):
        stale.save()
    with pytest.raises(AppendOnlyError):
        stale.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).hours == Decimal("2.00")


def test_a_rejected_entry_cannot_be_changed_either(coop):
    entry = services.entry_reject(entry=log(coop), actor=coop.coord_b.user, on=TODAY)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.get(pk=entry.pk).save()


def test_queryset_update_and_delete_of_decided_rows_are_refused(coop):
    entry = approved(coop)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(hours=Decimal("20"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).hours == Decimal("2.00")


def test_pending_rows_may_still_be_updated(coop):
    entry = log(coop)
    LedgerEntry.objects.filter(pk=entry.pk).update(description="Typo fixed")
    assert LedgerEntry.objects.get(pk=entry.pk).description == "Typo fixed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_raw_sql_on_a_decided_row_but_allows_the_decision(coop):
    entry = log(coop)
    with connection.cursor() as cursor:
        # the pending -> approved transition is an UPDATE the trigger lets through
        cursor.execute(
            "UPDATE contributions_ledgerentry SET status='approved', decided_at=now() WHERE id=%s",
            [entry.pk],
        )
    for sql in (
        "UPDATE contributions_ledgerentry SET hours=20 WHERE id=%s",
        "DELETE FROM contributions_ledgerentry WHERE id=%s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).hours == Decimal("2.00")


def test_a_database_constraint_refuses_implausible_hours(coop):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            member=coop.member.member,
            kind="labour",
            occurred_on=TODAY,
            description="x",
            hours=Decimal("30"),
            circle=coop.tech,
            logged_by=coop.coord_a.user,
        )


# --- reversal ---------------------------------------------------------------------------------


def test_a_reversal_is_a_new_negative_entry_pointing_at_the_original(coop):
    original = approved(coop, hours="3")
    reversal = services.entry_reverse(
        entry=original, reason="Wrong member", actor=coop.coord_b.user, on=TODAY
    )
    assert reversal.reverses == original
    assert reversal.hours == Decimal("-3.00")
    assert reversal.status == "approved" and reversal.reason == "Wrong member"
    original.refresh_from_db()
    assert original.status == "approved" and original.hours == Decimal("3.00")


def test_reversing_the_same_entry_twice_is_refused(coop):
    original = approved(coop)
    services.entry_reverse(entry=original, reason="Twice", actor=coop.coord_b.user, on=TODAY)
    with pytest.raises(ValidationError, match="already been reversed"):
        services.entry_reverse(entry=original, reason="Again", actor=coop.coord_b.user, on=TODAY)
    assert LedgerEntry.objects.filter(reverses=original).count() == 1


def test_a_reversal_cannot_itself_be_reversed_nor_a_pending_entry(coop):
    original = approved(coop)
    reversal = services.entry_reverse(entry=original, reason="x", actor=coop.coord_b.user, on=TODAY)
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=reversal, reason="y", actor=coop.coord_b.user, on=TODAY)
    with pytest.raises(ValidationError, match="approved"):
        services.entry_reverse(entry=log(coop), reason="z", actor=coop.coord_b.user, on=TODAY)


def test_a_reversal_needs_a_reason_and_the_right_to_decide(coop):
    original = approved(coop)
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=original, reason=" ", actor=coop.coord_b.user, on=TODAY)
    with pytest.raises(PermissionDenied):
        services.entry_reverse(entry=original, reason="x", actor=coop.member.user, on=TODAY)


def test_a_money_reversal_is_negative_in_every_amount(coop):
    entry = services.money_record(
        member=coop.member.member,
        amount="100",
        currency="CAD",
        eur_rate="0.7",
        received_on=TODAY,
        description="",
        actor=coop.treasurer.user,
        on=TODAY,
    )
    services.entry_approve(entry=entry, actor=coop.treasurer.user, on=TODAY)
    reversal = services.entry_reverse(
        entry=entry, reason="Bounced", actor=coop.treasurer.user, on=TODAY
    )
    assert (reversal.amount, reversal.eur_value) == (Decimal("-100.00"), Decimal("-70.00"))
