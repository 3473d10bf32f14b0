"""Hours owed at their edges: a member without a commitment, the first hundredth of an hour
beyond it, money that fills the commitment, waged-role hours, and two approvals or two
settlements at once (PostgreSQL)."""

import contextlib
import datetime
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from contributions import selectors, services
from contributions.models import Compensation, CompensationSettlement
from contributions.services import compensation as compensation_service
from membership.models import Policy
from tests.factories import CircleRoleFactory, MemberContactFactory, MembershipFactory

from .conftest import TODAY
from .races import race
from .test_progress import approved_hours, approved_money

DAY = datetime.date
threaded = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need PostgreSQL row locks"
)


@pytest.fixture
def rate(coop):
    """20 EUR an hour from the first policy on (commitment: 500 EUR or 40 hours)."""
    Policy.objects.update(compensation_hour_rate=Decimal("20.00"))


def owed_amount(member) -> Decimal:
    balances = selectors.compensation_balances([member.pk]).get(member.pk, [])
    return sum((b.outstanding.amount for b in balances), Decimal("0"))


FOURTH = DAY(2026, 6, 4)


def logged(coop, hours, *, who=None, paid_work=False, worked_on=FOURTH):
    return services.labour_log(
        member=(who or coop.member).member,
        circle=coop.tech,
        hours=hours,
        worked_on=worked_on,
        description="Ran the servers",
        actor=coop.coord_a.user,
        on=TODAY,
        paid_work=paid_work,
    )


@pytest.mark.django_db
def test_the_first_hundredth_of_an_hour_beyond_the_commitment_is_owed(coop, rate):
    approved_hours(coop, "24")
    approved_hours(coop, "15.75", worked_on=DAY(2026, 6, 2))
    assert not Compensation.objects.exists()
    entry = approved_hours(coop, "0.26", worked_on=DAY(2026, 6, 3))  # 0.25 needed, 0.01 beyond
    compensation = Compensation.objects.get(entry=entry)
    assert (compensation.hours, compensation.amount) == (Decimal("0.01"), Decimal("0.20"))


@pytest.mark.django_db
def test_money_alone_can_fill_the_commitment_and_every_later_hour_is_owed(coop, rate):
    approved_money(coop, "500.00")  # 100 % in money
    entry = approved_hours(coop, "2")
    assert Compensation.objects.get(entry=entry).amount == Decimal("40.00")


@pytest.mark.django_db
def test_paid_work_before_the_commitment_does_not_fill_it(coop, rate):
    """Paid work is owed in full and leaves the voluntary commitment where it was: the next
    voluntary hours are still needed by the commitment, not beyond it."""
    for day in (4, 5):
        paid = logged(coop, "20", paid_work=True, worked_on=DAY(2026, 6, day))
        services.entry_approve(entry=paid, actor=coop.coord_b.user, on=TODAY)
        assert Compensation.objects.get(entry=paid).basis == "agreed"
    for day in (6, 7):
        voluntary = approved_hours(coop, "20", worked_on=DAY(2026, 6, day))
        assert not Compensation.objects.filter(entry=voluntary).exists()
    assert owed_amount(coop.member.member) == Decimal("800.00")  # the 40 paid hours only


@pytest.mark.django_db
def test_paid_work_once_the_commitment_is_reached_is_owed_once_not_twice(coop, rate):
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))
    paid = logged(coop, "3", paid_work=True)
    services.entry_approve(entry=paid, actor=coop.coord_b.user, on=TODAY)
    compensation = Compensation.objects.get(entry=paid)
    assert (compensation.basis, compensation.amount) == ("agreed", Decimal("60.00"))
    assert owed_amount(coop.member.member) == Decimal("60.00")


@pytest.mark.django_db
def test_without_a_commitment_nothing_is_beyond_it_only_paid_work_is_owed(coop, rate):
    """A member with no operational membership (a user member) has no commitment: none of
    their voluntary hours is "beyond" it; agreed paid work is still owed."""
    contact = MemberContactFactory()
    MembershipFactory(member=contact.member)  # a user membership: no commitment
    CircleRoleFactory(circle=coop.tech, member=contact.member)
    who = SimpleNamespace(member=contact.member)
    voluntary = approved_hours(coop, "5", who=who)
    assert not Compensation.objects.filter(entry=voluntary).exists()
    paid = logged(coop, "2", who=who, paid_work=True)
    services.entry_approve(entry=paid, actor=coop.coord_b.user, on=TODAY)
    assert owed_amount(contact.member) == Decimal("40.00")


@pytest.mark.django_db
def test_rejected_hours_owe_nothing(coop, rate):
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))
    entry = logged(coop, "5")
    services.entry_reject(entry=entry, actor=coop.coord_b.user, on=TODAY)
    assert not Compensation.objects.exists()


# --- at once (PostgreSQL) ------------------------------------------------------------------------


@threaded
@pytest.mark.django_db(transaction=True)
def test_two_entries_approved_at_once_owe_what_is_beyond_as_if_one_after_the_other(
    coop, rate, monkeypatch
):
    """36 of 40 hours done; two entries of 4 hours approved at once by two coordinators. One
    after the other, the second is wholly beyond: 4 hours owed. Both reading the progress
    before the other committed would owe nothing at all."""
    approved_hours(coop, "20")
    approved_hours(coop, "16", worked_on=DAY(2026, 6, 2))
    first, second = logged(coop, "4"), logged(coop, "4", worked_on=DAY(2026, 6, 5))
    both_reading = threading.Barrier(2)
    real = compensation_service.commitment_progress

    def meet_then_read(membership):
        # Without a lock both threads meet here, then read the same stale progress.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_reading.wait(timeout=1.5)
        return real(membership)

    monkeypatch.setattr(compensation_service, "commitment_progress", meet_then_read)
    race(
        lambda: services.entry_approve(entry=first, actor=coop.coord_a.user, on=TODAY),
        lambda: services.entry_approve(entry=second, actor=coop.coord_b.user, on=TODAY),
    )
    assert owed_amount(coop.member.member) == Decimal("80.00")
    assert Compensation.objects.count() == 1


@threaded
@pytest.mark.django_db(transaction=True)
def test_two_treasurers_settling_at_once_never_settle_more_than_is_owed(coop, rate):
    approved_hours(coop, "20")
    approved_hours(coop, "20", worked_on=DAY(2026, 6, 2))
    approved_hours(coop, "5", worked_on=DAY(2026, 6, 3))  # 100 EUR owed
    second_treasurer = MemberContactFactory().user
    second_treasurer.groups.set(coop.treasurer.user.groups.all())
    member = coop.member.member

    def settle(actor):
        return lambda: services.compensation_settle(
            member=member,
            amount="60",
            currency="EUR",
            kind="paid",
            settled_on=TODAY,
            actor=actor,
            on=TODAY,
        )

    results = race(settle(coop.treasurer.user), settle(second_treasurer))
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert CompensationSettlement.objects.count() == 1
    assert owed_amount(member) == Decimal("40.00")
