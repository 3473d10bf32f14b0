"""Hours owed: approved voluntary hours beyond a member's commitment, or hours agreed in
advance as paid work, become compensation the co-op owes at the rate of the dated policy in
force the day the work was done; a treasurer settles it (paid, or waived by the member)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from contributions import selectors, services
from contributions.models import Compensation, CompensationSettlement
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AppendOnlyError
from membership.models import Policy

from .conftest import TODAY
from .test_progress import approved_hours, approved_money

pytestmark = pytest.mark.django_db
DAY = datetime.date


@pytest.fixture
def rate(coop):
    """20 EUR an hour from the first policy on (commitment: 500 EUR or 40 hours)."""
    Policy.objects.update(compensation_hour_rate=Decimal("20.00"))


def owed(coop, who=None):
    member = (who or coop.member).member
    return [
        (b.currency, b.outstanding.amount)
        for b in selectors.compensation_balances([member.pk]).get(member.pk, [])
    ]


def test_hours_up_to_the_commitment_are_not_owed_the_first_hour_beyond_is(coop, rate):
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))  # exactly 40 hours: 100 %
    assert not Compensation.objects.exists()
    approved_hours(coop, "1", worked_on=DAY(2026, 6, 3))
    assert owed(coop) == [("EUR", Decimal("20.00"))]


def test_an_entry_that_crosses_the_commitment_owes_only_the_part_beyond(coop, rate):
    approved_hours(coop, "18")
    approved_money(coop, "250.00")  # half the commitment in money: 20 hours were needed
    entry = approved_hours(coop, "5", worked_on=DAY(2026, 6, 2))  # 2 needed, 3 beyond
    compensation = Compensation.objects.get(entry=entry)
    assert (compensation.basis, compensation.hours, compensation.amount) == (
        "beyond",
        Decimal("3.00"),
        Decimal("60.00"),
    )


def test_without_a_rate_in_the_policy_nothing_is_owed(coop):
    approved_hours(coop, "20")
    approved_hours(coop, "24", worked_on=DAY(2026, 6, 2))
    assert not Compensation.objects.exists()


def test_the_rate_is_the_one_in_force_the_day_the_work_was_done(coop, rate):
    from tests.factories import PolicyFactory

    PolicyFactory(effective_from=DAY(2026, 6, 10), compensation_hour_rate=Decimal("25.00"))
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))
    before = approved_hours(coop, "1", worked_on=DAY(2026, 6, 9))
    after = approved_hours(coop, "1", worked_on=DAY(2026, 6, 10))
    assert Compensation.objects.get(entry=before).rate == Decimal("20.00")
    assert Compensation.objects.get(entry=after).rate == Decimal("25.00")


def test_paid_work_is_owed_in_full_and_never_counts_toward_the_commitment(coop, rate):
    logged = services.labour_log_many(
        circle=coop.tech,
        worked_on=DAY(2026, 6, 1),
        description="Migrated the servers, agreed as paid work",
        hours_by_member={coop.member.member: Decimal("6")},
        actor=coop.coord_a.user,
        on=TODAY,
        paid_work=True,
    )
    services.entry_approve(entry=logged[0], actor=coop.coord_b.user, on=TODAY)
    compensation = Compensation.objects.get(entry=logged[0])
    assert (compensation.basis, compensation.amount) == ("agreed", Decimal("120.00"))
    progress = selectors.commitment_progress(coop.member.membership)
    assert progress.hours == 0 and progress.percent == 0


def test_only_a_coordinator_records_paid_work(coop, rate):
    with pytest.raises(DomainError, match="Only a coordinator"):
        services.labour_log(
            member=coop.member.member,
            circle=coop.tech,
            hours="2",
            worked_on=DAY(2026, 6, 1),
            description="My own hours",
            actor=coop.member.user,
            on=TODAY,
            paid_work=True,
        )


def test_a_reversal_cancels_what_was_owed(coop, rate):
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))
    entry = approved_hours(coop, "4", worked_on=DAY(2026, 6, 3))
    assert owed(coop) == [("EUR", Decimal("80.00"))]
    services.entry_reverse(entry=entry, reason="Logged twice", actor=coop.coord_a.user, on=TODAY)
    assert owed(coop) == []  # nothing owed, nothing settled: nothing to show
    assert Compensation.objects.count() == 2  # the original row is kept


def test_a_treasurer_settles_never_more_than_is_owed(coop, rate):
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))
    approved_hours(coop, "5", worked_on=DAY(2026, 6, 3))  # 100 EUR owed
    member = coop.member.member
    kwargs = {"member": member, "currency": "EUR", "settled_on": TODAY, "on": TODAY}
    with pytest.raises(PermissionDenied):
        services.compensation_settle(amount="10", kind="paid", actor=coop.coord_a.user, **kwargs)
    with pytest.raises(DomainError, match="Only €100.00 is owed"):
        services.compensation_settle(
            amount="100.01", kind="paid", actor=coop.treasurer.user, **kwargs
        )
    with pytest.raises(DomainError, match="waived"):
        services.compensation_settle(
            amount="10", kind="waived", actor=coop.treasurer.user, **kwargs
        )
    services.compensation_settle(amount="60", kind="paid", actor=coop.treasurer.user, **kwargs)
    services.compensation_settle(
        amount="40",
        kind="waived",
        note="Said so at the All Hands",
        actor=coop.treasurer.user,
        **kwargs,
    )
    assert owed(coop) == [("EUR", Decimal("0.00"))]
    assert selectors.compensation_outstanding_total() == []
    settlement = CompensationSettlement.objects.first()
    with pytest.raises(AppendOnlyError):
        settlement.delete()


def test_the_member_and_the_treasury_see_what_is_owed(
    client, coop, rate, django_assert_max_num_queries
):
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))
    approved_hours(coop, "3", worked_on=DAY(2026, 6, 3))
    client.force_login(coop.member.user)
    client.get(reverse("standing:dashboard"))  # the session and caches warm
    with django_assert_max_num_queries(16):  # /me/'s 15, and one for what is owed
        me = client.get(reverse("standing:dashboard")).content.decode()
    assert "€60.00 still owed" in me
    ledger = client.get(reverse("contributions:my_ledger")).content.decode()
    assert "What the co-op owes you" in ledger and "€60.00" in ledger
    client.force_login(coop.treasurer.user)
    treasury = client.get(reverse("contributions:treasury")).content.decode()
    assert "The co-op owes its members, for hours:" in treasury and "€60.00" in treasury


def test_only_treasurers_see_compensation_in_the_admin(client, coop, rate):
    from tests.factories import StewardAdminFactory, StewardFactory

    steward_admin = StewardAdminFactory(stewards=[StewardFactory()])
    client.force_login(steward_admin)
    for name in ("compensation", "compensationsettlement"):
        url = reverse(f"admin:contributions_{name}_changelist")
        assert client.get(url).status_code == 403
    assert client.get(reverse("admin:contributions_compensationsettlement_add")).status_code == 403
    treasurer = coop.treasurer.user
    treasurer.is_staff = True
    treasurer.save(update_fields=["is_staff"])
    client.force_login(treasurer)
    assert client.get(reverse("admin:contributions_compensation_changelist")).status_code == 200
