"""Acceptance attacks on the ledger's append-only rule and on money that no column holds.

An approved entry is never edited, not even by a model ``save()`` of a new instance given
its id (Django then UPDATEs that row) nor by an "upsert" ``bulk_create``. Money, rates and
converted values larger than their columns, or with more decimals than they keep, are a
clear refusal, never a row the database rounds or can't read back (a 500 on every page that
lists it)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from contributions import services
from contributions.models import LedgerEntry, LedgerEntryQuerySet, RevenueReport
from meetcoop.core.models import AppendOnlyError
from meetcoop.core.roles import STEWARD_ADMINS, ensure_role_groups
from tests.factories import OperationalMembershipFactory, StewardFactory, UserFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db

HUGE_AMOUNT = "9999999999.99"  # the largest amount a money column holds
HUGE_RATE = "99999999.999999"  # the largest rate a rate column holds


@pytest.fixture
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def pending_labour(coop):
    return services.labour_log(
        member=coop.member.member,
        circle=coop.tech,
        hours="2",
        worked_on=TODAY,
        description="Wrote the docs",
        actor=coop.coord_a.user,
        on=TODAY,
    )


def approved_labour(coop):
    return services.entry_approve(entry=pending_labour(coop), actor=coop.coord_b.user, on=TODAY)


def forged_copy(entry):
    """A new instance carrying the id of ``entry``: what a careless script would save."""
    return LedgerEntry(
        pk=entry.pk,
        member_id=entry.member_id,
        kind=LedgerEntry.Kind.LABOUR,
        occurred_on=entry.occurred_on,
        description="forged",
        hours=Decimal("24"),
        circle_id=entry.circle_id,
        status=LedgerEntry.Status.APPROVED,
        decided_at=timezone.now(),
    )


# --- append-only -----------------------------------------------------------------------------


def test_a_new_instance_with_a_decided_entrys_id_cannot_overwrite_it(coop):
    entry = approved_labour(coop)
    with pytest.raises(AppendOnlyError):
        forged_copy(entry).save()
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.hours, stored.description) == (Decimal("2.00"), "Wrote the docs")


def test_a_rejected_entry_is_not_overwritten_by_a_new_instance_either(coop):
    entry = pending_labour(coop)
    services.entry_reject(entry=entry, actor=coop.coord_b.user, on=TODAY)
    with pytest.raises(AppendOnlyError):
        forged_copy(entry).save()
    assert LedgerEntry.objects.get(pk=entry.pk).status == LedgerEntry.Status.REJECTED


def test_an_upsert_bulk_create_never_overwrites_an_entry(coop):
    entry = approved_labour(coop)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.bulk_create(
            [forged_copy(entry)],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["hours", "description"],
        )
    assert LedgerEntry.objects.get(pk=entry.pk).description == "Wrote the docs"


def test_bulk_update_of_a_decided_entry_is_refused(coop):
    entry = approved_labour(coop)
    entry.description = "changed"
    # bulk_update runs in an atomic block without a savepoint: give it one.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        LedgerEntry.objects.bulk_update([entry], ["description"])
    assert LedgerEntry.objects.get(pk=entry.pk).description == "Wrote the docs"


def test_a_pending_entry_may_still_be_saved_by_code(coop):
    entry = pending_labour(coop)
    entry.description = "Wrote the docs and the tests"
    entry.save(update_fields=["description"])
    assert LedgerEntry.objects.get(pk=entry.pk).description == "Wrote the docs and the tests"


# --- money larger than its column, or with too many decimals ---------------------------------


def record_money(coop, **kwargs):
    values = {
        "member": coop.member.member,
        "amount": "100",
        "currency": "CAD",
        "eur_rate": "0.68",
        "received_on": TODAY,
        "description": "Gift",
        "actor": coop.treasurer.user,
        "on": TODAY,
    } | kwargs
    return services.money_record(**values)


def test_a_value_in_euros_larger_than_a_column_holds_is_refused(coop):
    with pytest.raises(ValidationError, match="check the amount and the rate"):
        record_money(coop, amount=HUGE_AMOUNT, eur_rate=HUGE_RATE)
    assert not LedgerEntry.objects.exists()


def test_the_largest_value_a_column_holds_is_recorded_and_read_back(coop):
    entry = record_money(coop, amount=HUGE_AMOUNT, currency="EUR", eur_rate=None)
    assert LedgerEntry.objects.get(pk=entry.pk).eur_value == Decimal(HUGE_AMOUNT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "10.005"),  # the database would keep 10.00, the value 10.01
        ("amount", "10000000000"),
        ("eur_rate", "0.6812345"),  # the value would not be amount x the rate stored
        ("eur_rate", "100000000"),
    ],
)
def test_money_the_columns_cannot_keep_as_typed_is_refused(coop, field, value):
    with pytest.raises(ValidationError):
        record_money(coop, **{field: value})
    assert not LedgerEntry.objects.exists()


def test_trailing_zeros_are_not_too_many_decimals(coop):
    entry = record_money(coop, amount="10.500000", eur_rate="0.680000")
    assert (entry.amount, entry.eur_value) == (Decimal("10.5"), Decimal("7.14"))


@pytest.mark.parametrize("value", ["123456789012345", "1E+30"])  # 1E+30 can't even be rounded
def test_a_resource_worth_more_than_a_column_holds_is_refused(coop, value):
    with pytest.raises(ValidationError, match="at most"):
        services.resource_record(
            member=coop.member.member,
            description="A data centre",
            eur_value=Decimal(value),
            given_on=TODAY,
            actor=coop.treasurer.user,
            on=TODAY,
        )
    assert not LedgerEntry.objects.exists()


def test_the_treasury_form_shows_an_overflow_as_a_form_error(client, coop, frozen):
    client.force_login(coop.treasurer.user)
    response = client.post(
        reverse("contributions:treasury"),
        {
            "form": "money",
            "money-member": coop.member.member.pk,
            "money-amount": HUGE_AMOUNT,
            "money-currency": "CAD",
            "money-eur_rate": HUGE_RATE,
            "money-received_on": "2026-06-01",
            "money-description": "Gift",
        },
    )
    assert response.status_code == 200
    assert "check the amount and the rate" in str(response.context["money_form"].errors)
    assert not LedgerEntry.objects.exists()
    # and the pages that list the ledger still open
    assert client.get(reverse("contributions:export_page")).status_code == 200


# --- a revenue report worth more than a column holds -----------------------------------------


@pytest.fixture
def reseller_admin(coop):
    ensure_role_groups()
    reseller = StewardFactory(
        name="Mine",
        member=OperationalMembershipFactory(admitted_on=datetime.date(2025, 1, 1)).member,
    )
    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=STEWARD_ADMINS))
    reseller.admins.add(admin)
    return reseller, admin


def test_a_revenue_report_worth_more_than_a_column_holds_is_a_form_error(
    client, reseller_admin, frozen
):
    reseller, admin = reseller_admin
    client.force_login(admin)
    response = client.post(
        "/admin/contributions/revenuereport/add/",
        {
            "steward": reseller.pk,
            "quarter_start": "2026-01-01",
            "revenue": HUGE_AMOUNT,
            "currency": "CAD",
            "eur_rate": HUGE_RATE,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "check the revenue and the rate" in str(errors)
    assert not RevenueReport.objects.exists()


def test_a_revenue_rate_with_more_decimals_than_kept_is_refused(reseller_admin):
    reseller, admin = reseller_admin
    with pytest.raises(ValidationError, match="decimal places"):
        services.revenue_report_submit(
            steward=reseller,
            quarter_start=datetime.date(2026, 1, 1),
            revenue="1000",
            currency="CAD",
            eur_rate="0.6812345",
            actor=admin,
            on=TODAY,
        )
    assert not RevenueReport.objects.exists()


def test_a_queryset_update_racing_a_decision_leaves_the_decided_row_alone(coop, monkeypatch):
    entry = pending_labour(coop)
    check = LedgerEntryQuerySet._refuse_decided

    def check_then_a_coordinator_approves(self, verb):
        check(self, verb)  # the row is still pending here ...
        services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY)  # ... not now

    monkeypatch.setattr(LedgerEntryQuerySet, "_refuse_decided", check_then_a_coordinator_approves)
    assert LedgerEntry.objects.filter(pk=entry.pk).update(hours=Decimal("9")) == 0
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.status, stored.hours) == (LedgerEntry.Status.APPROVED, Decimal("2.00"))


@pytest.mark.parametrize("revenue", ["10000000000", "1E+30"])
def test_a_revenue_larger_than_a_column_holds_is_refused(reseller_admin, revenue):
    reseller, admin = reseller_admin
    with pytest.raises(ValidationError, match="at most"):
        services.revenue_report_submit(
            steward=reseller,
            quarter_start=datetime.date(2026, 1, 1),
            revenue=revenue,
            currency="EUR",
            actor=admin,
            on=TODAY,
        )
    assert not RevenueReport.objects.exists()
