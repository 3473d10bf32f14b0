"""Attendance of All Hands Meetings: which meetings count and for whom, as the status job
counts them (through ``status_evaluate``), and recording who attended."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from governance import selectors, services
from governance.models import Attendance, Meeting
from membership.models import Membership
from standing.selectors import status_evaluate
from tests.factories import (
    AttendanceFactory,
    CircleRoleFactory,
    MeetingFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 6, 1)
FIRST = ON - datetime.timedelta(days=365)  # 2025-06-01, the first day of the window
LAST = ON - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _policy():
    PolicyFactory()


def an_admin():
    """A co-op admin, who may record any meeting."""
    return UserFactory(is_staff=True, is_superuser=True)


def meeting(held_on, **kwargs):
    return MeetingFactory(held_on=held_on, **kwargs)


def attendance(membership, *, on=ON) -> dict:
    """The attendance reason of ``membership`` as the status job works it out on ``on``."""
    (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    (reason,) = [r for r in evaluation.reasons if r.code.startswith("attendance_")]
    return {"code": reason.code, **reason.params}


def test_rate_counts_all_hands_meetings_in_the_window_only():
    membership = OperationalMembershipFactory(admitted_on=datetime.date(2024, 1, 1))
    member = membership.member
    before = meeting(FIRST - datetime.timedelta(days=1))
    first = meeting(FIRST)
    last = meeting(LAST)
    meeting(ON)  # the evaluation day itself is not in the 365 days before it
    meeting(datetime.date(2026, 3, 1))
    for m in (before, first, last):
        AttendanceFactory(meeting=m, member=member)
    rate = attendance(membership)
    assert (rate["attended"], rate["held"], rate["percent"]) == (2, 3, "67")
    assert rate["code"] == "attendance_ok"


def test_meetings_before_admission_do_not_count():
    membership = OperationalMembershipFactory(admitted_on=datetime.date(2026, 3, 1))
    meeting(datetime.date(2026, 2, 28))
    on_admission_day = meeting(datetime.date(2026, 3, 1))
    meeting(datetime.date(2026, 4, 1))
    AttendanceFactory(meeting=on_admission_day, member=membership.member)
    rate = attendance(membership)
    assert (rate["attended"], rate["held"], rate["percent"]) == (1, 2, "50")


def test_circle_meetings_and_unrecorded_meetings_do_not_count():
    membership = OperationalMembershipFactory(admitted_on=datetime.date(2024, 1, 1))
    circle_seat = CircleRoleFactory(member=membership.member)
    circle_meeting = meeting(
        datetime.date(2026, 2, 1), kind=Meeting.Kind.CIRCLE, circle=circle_seat.circle
    )
    AttendanceFactory(meeting=circle_meeting, member=membership.member)
    meeting(datetime.date(2026, 2, 2), attendance_recorded_at=None)
    rate = attendance(membership)
    assert (rate["attended"], rate["held"]) == (0, 0)
    assert rate["code"] == "attendance_none_held"  # no meeting in the window: the rule passes


def test_window_length_comes_from_the_policy():
    PolicyFactory(effective_from=datetime.date(2026, 1, 1), attendance_window_days=30)
    membership = OperationalMembershipFactory(admitted_on=datetime.date(2024, 1, 1))
    meeting(ON - datetime.timedelta(days=31))
    meeting(ON - datetime.timedelta(days=30))
    assert attendance(membership)["held"] == 1


def test_attendance_of_many_memberships_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    memberships = [
        OperationalMembershipFactory(admitted_on=datetime.date(2024, 1, 1)) for _ in range(5)
    ]
    meetings = [meeting(datetime.date(2026, month, 10)) for month in range(1, 5)]
    for i, membership in enumerate(memberships):
        for m in meetings[:i]:
            AttendanceFactory(meeting=m, member=membership.member)
    window = selectors.attendance_window(on=ON)
    # The meeting days, and one GROUP BY for every membership's attended meetings at once.
    with django_assert_num_queries(2):
        days = selectors.all_hands_days(window)
        attended = selectors.attended_counts(Membership.objects.all(), window)
    assert days == [m.held_on for m in meetings]
    assert attended == {m.pk: i for i, m in enumerate(memberships) if i}
    assert selectors.held_since(days, datetime.date(2026, 2, 10)) == 3


def test_expected_at_all_hands_are_the_operational_members_admitted_by_then():
    # A lapsed member is on the sheet too: coming back to meetings is how it recovers.
    active = OperationalMembershipFactory(admitted_on=datetime.date(2024, 1, 1))
    lapsed = OperationalMembershipFactory(status="lapsed", admitted_on=datetime.date(2024, 1, 1))
    OperationalMembershipFactory(admitted_on=datetime.date(2026, 12, 1))  # after the meeting
    m = meeting(datetime.date(2026, 5, 1))
    assert set(selectors.expected_attendees(m)) == {active.member, lapsed.member}


def test_recording_attendance_sets_exactly_the_ticked_members():
    a = OperationalMembershipFactory(admitted_on=datetime.date(2024, 1, 1)).member
    b = OperationalMembershipFactory(admitted_on=datetime.date(2024, 1, 1)).member
    m = meeting(datetime.date(2026, 5, 1), attendance_recorded_at=None)
    actor = UserFactory(is_staff=True, is_superuser=True)
    services.attendance_record(meeting=m, member_ids=[a.pk, b.pk], actor=actor)
    services.attendance_record(
        meeting=m, member_ids=[str(b.pk)], actor=actor, note="A was not there."
    )
    services.attendance_record(meeting=m, member_ids=[str(b.pk)], actor=actor)
    assert list(Attendance.objects.filter(meeting=m).values_list("member_id", flat=True)) == [b.pk]
    m.refresh_from_db()
    assert m.attendance_recorded_at is not None


def test_only_listed_members_can_be_ticked():
    stranger = MembershipFactory().member  # a user member only
    m = meeting(datetime.date(2026, 5, 1))
    with pytest.raises(ValidationError, match="listed"):
        services.attendance_record(meeting=m, member_ids=[stranger.pk], actor=an_admin())


def test_attendance_of_a_future_meeting_is_refused():
    m = meeting(datetime.date(2099, 1, 1))
    with pytest.raises(ValidationError, match="once the meeting has been held"):
        services.attendance_record(meeting=m, member_ids=[], actor=an_admin())
