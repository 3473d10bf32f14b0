"""An ended member leaves its circles: ending its operational membership ends every seat it
holds on that day and cancels the seats dated after it, in the same transaction, audited as
caused by the end. A member that may still sit keeps its seats."""

import datetime

import pytest
from django.utils import timezone

from governance.models import CircleRole
from meetcoop.core.audit import AuditEntry
from membership.services import membership_status_set
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def operational():
    return OperationalMembershipFactory(admitted_on=timezone.localdate() - 400 * DAY)


def _end(membership, admin, on=None):
    return membership_status_set(
        membership=membership, status="ended", actor=admin, note="Resigned.", on=on
    )


def test_ending_the_membership_ends_its_open_seats_on_that_day(operational, admin):
    today = timezone.localdate()
    open_seat = CircleRoleFactory(member=operational.member, started_on=today - 100 * DAY)
    later_end = CircleRoleFactory(
        member=operational.member,
        role="coordinator",
        started_on=today - 50 * DAY,
        ended_on=today + 60 * DAY,
    )
    past = CircleRoleFactory(
        member=operational.member, started_on=today - 300 * DAY, ended_on=today - 200 * DAY
    )
    _end(operational, admin)
    for seat in (open_seat, later_end):
        seat.refresh_from_db()
        assert seat.ended_on == today
    past.refresh_from_db()
    assert past.ended_on == today - 200 * DAY
    entries = AuditEntry.objects.filter(action="governance.seat.ended")
    assert entries.count() == 2
    assert {e.data["because"] for e in entries} == {"membership_ended"}
    assert {e.actor_id for e in entries} == {admin.pk}


def test_a_seat_dated_after_the_end_is_cancelled(operational, admin):
    today = timezone.localdate()
    ahead = CircleRoleFactory(member=operational.member, started_on=today + 10 * DAY)
    _end(operational, admin)
    assert not CircleRole.objects.filter(pk=ahead.pk).exists()
    assert AuditEntry.objects.filter(action="governance.seat.cancelled").count() == 1


def test_an_end_dated_ahead_ends_the_seats_on_that_day(operational, admin):
    today = timezone.localdate()
    seat = CircleRoleFactory(member=operational.member, started_on=today - 10 * DAY)
    _end(operational, admin, on=today + 5 * DAY)
    seat.refresh_from_db()
    assert seat.ended_on == today + 5 * DAY


def test_ending_only_the_user_membership_keeps_the_seats(operational, admin):
    user = MembershipFactory(member=operational.member)
    seat = CircleRoleFactory(member=operational.member, started_on=timezone.localdate() - 9 * DAY)
    _end(user, admin)
    seat.refresh_from_db()
    assert seat.ended_on is None


def test_a_suspension_keeps_the_seats(operational, admin):
    seat = CircleRoleFactory(member=operational.member, started_on=timezone.localdate() - 9 * DAY)
    membership_status_set(
        membership=operational, status="suspended", actor=admin, note="Fair Use breach."
    )
    seat.refresh_from_db()
    assert seat.ended_on is None


def test_a_refused_end_keeps_the_seats(operational, admin):
    """The end and the seats are one transaction: an end refused leaves both as they were."""
    from meetcoop.core.errors import DomainError

    seat = CircleRoleFactory(member=operational.member, started_on=timezone.localdate() - 9 * DAY)
    with pytest.raises(DomainError):
        membership_status_set(membership=operational, status="ended", actor=admin, note="  ")
    seat.refresh_from_db()
    assert seat.ended_on is None


def test_an_end_refused_after_the_seats_were_ended_rolls_them_back(operational, admin):
    """A receiver after governance's refuses the end (the signal's contract): the seats
    governance ended in the same transaction are open again, and the membership not ended."""
    from meetcoop.core.errors import DomainError
    from membership.signals import membership_ended

    seat = CircleRoleFactory(member=operational.member, started_on=timezone.localdate() - 9 * DAY)

    def refuse(sender, **kwargs):
        raise DomainError("Not today.")

    membership_ended.connect(refuse, dispatch_uid="test.refuse_end")
    try:
        with pytest.raises(DomainError):
            _end(operational, admin)
    finally:
        membership_ended.disconnect(dispatch_uid="test.refuse_end")
    seat.refresh_from_db()
    operational.refresh_from_db()
    assert seat.ended_on is None
    assert operational.status != "ended"
    assert not AuditEntry.objects.filter(action="governance.seat.ended").exists()


def test_an_end_dated_back_keeps_a_seat_held_since_and_cancels_only_seats_ahead(operational, admin):
    today = timezone.localdate()
    held_since = CircleRoleFactory(member=operational.member, started_on=today - 3 * DAY)
    ahead = CircleRoleFactory(member=operational.member, started_on=today + 3 * DAY)
    _end(operational, admin, on=today - 10 * DAY)
    held_since.refresh_from_db()
    assert held_since.ended_on == today - 3 * DAY  # its first day: its history stays
    assert not CircleRole.objects.filter(pk=ahead.pk).exists()


def test_ending_twice_changes_nothing_more(operational, admin):
    CircleRoleFactory(member=operational.member, started_on=timezone.localdate() - 9 * DAY)
    _end(operational, admin)
    assert _end(operational, admin) is None
    assert AuditEntry.objects.filter(action="governance.seat.ended").count() == 1
    from governance.services import seats_end_for_departed

    assert (
        seats_end_for_departed(member=operational.member, on=timezone.localdate(), actor=admin) == 0
    )


def test_the_circle_page_lists_the_departed_member_among_past_seats(operational, admin, client):
    from django.urls import reverse

    circle = CircleFactory(slug="ops", name="Ops")
    CircleRoleFactory(
        circle=circle, member=operational.member, started_on=timezone.localdate() - 9 * DAY
    )
    _end(operational, admin, on=timezone.localdate() - DAY)
    client.force_login(admin)
    page = client.get(reverse("governance:circle_detail", args=[circle.slug])).content.decode()
    today_table, _sep, past = page.partition("Past seats")
    assert "Nobody sits in this circle today." in today_table
    assert operational.member.name not in today_table
    assert operational.member.name in past
