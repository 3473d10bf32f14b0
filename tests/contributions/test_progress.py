import datetime
from decimal import Decimal

import pytest

from contributions import services
from contributions.selectors import commitment_progress, commitment_progress_for
from membership.models import Membership
from tests.factories import OperationalMembershipFactory, PolicyFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def approved_hours(coop, hours, who=None, worked_on=datetime.date(2026, 6, 1)):
    who = who or coop.member
    entry = services.labour_log(
        member=who.member,
        circle=coop.tech,
        hours=hours,
        worked_on=worked_on,
        description="Ran the servers",
        actor=coop.coord_a.user,
        on=TODAY,
    )
    return services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY)


def approved_money(coop, amount, who=None, currency="EUR", rate=None):
    who = who or coop.member
    entry = services.money_record(
        member=who.member,
        amount=Decimal(amount),
        currency=currency,
        eur_rate=rate,
        received_on=datetime.date(2026, 6, 1),
        description="",
        actor=coop.treasurer.user,
        on=TODAY,
    )
    return services.entry_approve(entry=entry, actor=coop.treasurer.user, on=TODAY)


def test_thirty_hours_are_seventy_five_percent(coop):
    approved_hours(coop, "10")
    approved_hours(coop, "20", worked_on=datetime.date(2026, 6, 2))
    assert commitment_progress(coop.member.membership).percent == Decimal("75.00")


def test_thirty_hours_and_125_eur_are_one_hundred_percent(coop):
    approved_hours(coop, "15")
    approved_hours(coop, "15", worked_on=datetime.date(2026, 6, 2))
    approved_money(coop, "125.00")
    progress = commitment_progress(coop.member.membership)
    assert progress.percent == Decimal("100.00")
    assert progress.fulfilled


def test_applied_before_a_rise_to_1000_keeps_500(coop):
    PolicyFactory(effective_from=datetime.date(2026, 3, 1), commitment_money=Decimal("1000.00"))
    before = coop.member.membership  # applied 2024-01-01
    after = OperationalMembershipFactory(applied_on=datetime.date(2026, 3, 1))
    approved_money(coop, "500.00")
    approved_money(coop, "500.00", who=type("W", (), {"member": after.member})())
    assert commitment_progress(before).percent == Decimal("100.00")
    assert commitment_progress(before).commitment_money == Decimal("500.00")
    assert commitment_progress(after).percent == Decimal("50.00")


def test_the_day_before_the_rise_keeps_the_old_policy(coop):
    PolicyFactory(effective_from=datetime.date(2026, 3, 1), commitment_money=Decimal("1000.00"))
    eve = OperationalMembershipFactory(applied_on=datetime.date(2026, 2, 28))
    assert commitment_progress(eve).commitment_money == Decimal("500.00")


def test_pending_and_rejected_entries_do_not_count(coop):
    services.labour_log(
        member=coop.member.member,
        circle=coop.tech,
        hours="8",
        worked_on=datetime.date(2026, 6, 1),
        description="Pending",
        actor=coop.coord_a.user,
        on=TODAY,
    )
    rejected = services.labour_log(
        member=coop.member.member,
        circle=coop.tech,
        hours="8",
        worked_on=datetime.date(2026, 6, 2),
        description="Rejected",
        actor=coop.coord_a.user,
        on=TODAY,
    )
    services.entry_reject(entry=rejected, actor=coop.coord_b.user, on=TODAY)
    assert commitment_progress(coop.member.membership).percent == Decimal("0.00")


def test_money_in_another_currency_counts_at_its_stored_eur_value(coop):
    entry = approved_money(coop, "100.00", currency="CAD", rate=Decimal("0.6825"))
    assert entry.eur_value == Decimal("68.25")
    assert entry.amount == Decimal("100.00") and entry.currency == "CAD"
    assert commitment_progress(coop.member.membership).percent == Decimal("13.65")


def test_a_reversal_takes_the_hours_back(coop):
    entry = approved_hours(coop, "10")
    services.entry_reverse(entry=entry, reason="Logged twice", actor=coop.coord_b.user, on=TODAY)
    assert commitment_progress(coop.member.membership).percent == Decimal("0.00")


def test_set_based_progress_is_a_fixed_number_of_queries(coop, django_assert_num_queries):
    approved_hours(coop, "10")
    approved_money(coop, "125.00", who=coop.coord_a)
    PolicyFactory(effective_from=datetime.date(2026, 3, 1), commitment_money=Decimal("1000.00"))
    late = OperationalMembershipFactory(applied_on=datetime.date(2026, 4, 1))
    approved_money(coop, "250.00", who=type("W", (), {"member": late.member})())
    ids = list(Membership.objects.values_list("pk", flat=True))
    # The memberships, one GROUP BY over the ledger, the policies: whatever their number.
    with django_assert_num_queries(3):
        result = commitment_progress_for(Membership.objects.filter(pk__in=ids))
    assert result[coop.member.membership.pk] == Decimal("25.00")
    assert result[coop.coord_a.membership.pk] == Decimal("25.00")
    assert result[late.pk] == Decimal("25.00")
    assert result[coop.stranger.membership.pk] == Decimal("0.00")
    assert commitment_progress_for(ids) == result


def test_just_under_the_commitment_is_not_fulfilled(coop):
    """499.98 of 500 EUR is 99.996 %: shown as 99.99 %, never rounded up to 100."""
    approved_money(coop, "499.98")
    progress = commitment_progress(coop.member.membership)
    assert progress.percent == Decimal("99.99")
    assert not progress.fulfilled
    approved_money(coop, "0.02")
    assert commitment_progress(coop.member.membership).fulfilled


def test_the_amounts_shown_are_rounded_to_cents(coop):
    """SQLite sums decimals as floating point: the page must still read 375.01, not
    375.010000000000."""
    from django.template.loader import render_to_string

    for amount in ["125.00", "125.00", "125.01"]:
        approved_money(coop, amount)
    approved_hours(coop, "7.5")
    progress = commitment_progress(coop.member.membership)
    assert progress.money_eur == Decimal("375.01")
    assert str(progress.money_eur) == "375.01"
    html = render_to_string("contributions/_progress.html", {"progress": progress})
    assert "€375.01 of €500.00 and 7.50 of 40 hours approved" in " ".join(html.split())
