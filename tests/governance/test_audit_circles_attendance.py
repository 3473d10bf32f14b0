"""Audit of meetings and attendance at the edges: who is on the sheet, who may record it, what
a forged form does, recording twice, and what the pages cost as the co-op grows."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from governance import selectors, services
from governance.models import Attendance, Meeting
from meetcoop.core.audit import AuditEntry
from meetcoop.core.roles import COOP_ADMINS
from tests.factories import (
    CircleFactory,
    CircleMeetingFactory,
    CircleRoleFactory,
    MeetingFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    UserFactory,
    voting_member,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def admin(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=COOP_ADMINS)[0])
    return user


@pytest.fixture
def circle(db):
    return CircleFactory(slug="tech")


@pytest.fixture
def coordinator(circle):
    member, user = voting_member()
    CircleRoleFactory(circle=circle, member=member, role="coordinator", started_on=days(-60))
    return user


def sheet(meeting):
    return reverse("governance:meeting_attendance", args=[meeting.pk])


def all_hands(on=None, **kwargs):
    return MeetingFactory(held_on=on or days(-1), attendance_recorded_at=None, **kwargs)


# --- who is on the All Hands sheet -----------------------------------------------------------


def test_a_lapsed_member_who_came_can_be_ticked(coordinator):
    """A member that lapsed for missing meetings comes back by attending: if the sheet left it
    out, its attendance could never be recorded and it could never become active again."""
    lapsed = OperationalMembershipFactory(status="lapsed").member
    meeting = all_hands()
    assert lapsed in selectors.expected_attendees(meeting)
    services.attendance_record(meeting=meeting, member_ids=[lapsed.pk], actor=coordinator)
    assert meeting.attendances.filter(member=lapsed).exists()


def test_a_member_who_resigned_after_the_meeting_can_still_be_ticked(coordinator):
    """Attendance recorded a few days late: a member present on the day who resigned since
    is still on the sheet; one whose membership ended before the meeting is not."""
    meeting = all_hands(on=days(-10))
    after = OperationalMembershipFactory(status="ended", ended_on=days(-2)).member
    before = OperationalMembershipFactory(status="ended", ended_on=days(-20)).member
    expected = set(selectors.expected_attendees(meeting))
    assert after in expected
    assert before not in expected


def test_applicants_customers_and_later_admissions_are_not_on_the_sheet(coordinator):
    meeting = all_hands(on=days(-5))
    applicant = OperationalMembershipFactory(status="pending", admitted_on=None).member
    customer = MembershipFactory().member
    later = OperationalMembershipFactory(admitted_on=days(-1)).member
    expected = set(selectors.expected_attendees(meeting))
    assert not {applicant, customer, later} & expected
    for stranger in (applicant, customer, later):
        with pytest.raises(Exception, match="listed"):
            services.attendance_record(meeting=meeting, member_ids=[stranger.pk], actor=coordinator)
    assert not meeting.attendances.exists()


# --- who records -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "ended"),
    [(1, None), (-30, -1)],
    ids=["seat-starts-tomorrow", "seat-ended-yesterday"],
)
def test_a_coordinator_seat_not_held_today_records_nothing(client, circle, started, ended):
    member, user = voting_member()
    CircleRoleFactory(
        circle=circle,
        member=member,
        role="coordinator",
        started_on=days(started),
        ended_on=ended and days(ended),
    )
    client.force_login(user)
    for meeting in (all_hands(), CircleMeetingFactory(circle=circle, held_on=days(-1))):
        assert client.get(sheet(meeting)).status_code == 403
        assert client.post(sheet(meeting), {"present": [member.pk]}).status_code == 403
    assert not Attendance.objects.exists()


def test_a_plain_member_of_the_circle_records_nothing(client, circle):
    member, user = voting_member()
    CircleRoleFactory(circle=circle, member=member, started_on=days(-60))
    meeting = CircleMeetingFactory(circle=circle, held_on=days(-1), attendance_recorded_at=None)
    client.force_login(user)
    assert client.post(sheet(meeting), {"present": [member.pk]}).status_code == 403
    assert not meeting.attendances.exists()


def test_a_guessed_meeting_id_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("governance:meeting_attendance", args=[999999])).status_code == 404


# --- forged forms ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-1", "999999", "1 OR 1=1"])
def test_a_forged_tick_is_a_form_error(client, coordinator, value):
    voting_member()
    meeting = all_hands()
    client.force_login(coordinator)
    response = client.post(sheet(meeting), {"present": [value]})
    assert response.status_code == 400
    assert not meeting.attendances.exists()
    meeting.refresh_from_db()
    assert meeting.attendance_recorded_at is None


def test_a_member_of_the_circle_not_seated_on_the_day_is_refused(client, circle, coordinator):
    later, _ = voting_member()
    CircleRoleFactory(circle=circle, member=later, started_on=days(-1))
    meeting = CircleMeetingFactory(circle=circle, held_on=days(-3), attendance_recorded_at=None)
    client.force_login(coordinator)
    response = client.post(sheet(meeting), {"present": [later.pk]})
    assert response.status_code == 400
    assert not meeting.attendances.exists()


def test_a_meeting_to_come_is_a_form_error_not_a_crash(client, coordinator):
    member, _ = voting_member()
    meeting = all_hands(on=days(3))
    client.force_login(coordinator)
    response = client.post(sheet(meeting), {"present": [member.pk]})
    assert response.status_code == 400
    assert "once the meeting has been held" in response.content.decode()
    assert not meeting.attendances.exists()


def test_recording_twice_writes_one_row_and_a_change_is_audited(client, coordinator, admin):
    a, _ = voting_member()
    b, _ = voting_member()
    meeting = all_hands()
    client.force_login(coordinator)
    for _ in range(2):
        assert client.post(sheet(meeting), {"present": [a.pk, a.pk, b.pk]}).status_code == 302
    assert meeting.attendances.filter(member=a).count() == 1
    client.force_login(admin)
    # A change once recorded is a correction: it says why.
    refused = client.post(sheet(meeting), {"present": [b.pk]})
    assert refused.status_code == 400
    assert "Say why it changes" in refused.content.decode()
    assert sorted(meeting.attendances.values_list("member_id", flat=True)) == sorted([a.pk, b.pk])
    note = "A left before the meeting started."
    assert client.post(sheet(meeting), {"present": [b.pk], "note": note}).status_code == 302
    assert list(meeting.attendances.values_list("member_id", flat=True)) == [b.pk]
    last = AuditEntry.objects.filter(action="governance.meeting.attendance_recorded").latest("pk")
    assert last.actor == admin
    assert last.data["removed"] == [a.pk]
    assert last.data["note"] == note and last.data["correction"] is True


def test_a_coordinator_plans_no_meeting_of_another_circle_nor_an_all_hands(client, coordinator):
    other = CircleFactory(slug="other")
    client.force_login(coordinator)
    for data in (
        {"kind": "circle", "circle": other.pk, "title": "Hijack", "held_on": days(1)},
        {"kind": "all_hands", "title": "Hijack", "held_on": days(1)},
    ):
        response = client.post(reverse("governance:meeting_create"), data)
        assert response.status_code == 400
    assert not Meeting.objects.filter(title="Hijack").exists()


# --- query counts ----------------------------------------------------------------------------


def _capture(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_circle_meeting_sheet_costs_the_same_for_a_bigger_circle(
    client, circle, coordinator, django_assert_max_num_queries
):
    meeting = CircleMeetingFactory(circle=circle, held_on=days(-1))

    def grow(n):
        for _ in range(n):
            member, _ = voting_member()
            CircleRoleFactory(circle=circle, member=member, started_on=days(-30))
            Attendance.objects.create(meeting=meeting, member=member)

    client.force_login(coordinator)
    grow(2)
    small = _capture(client, sheet(meeting))
    grow(25)
    with django_assert_max_num_queries(small):
        assert client.get(sheet(meeting)).status_code == 200


def test_the_meeting_list_costs_the_same_for_more_circles(
    client, coordinator, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            CircleMeetingFactory(held_on=days(-1))

    client.force_login(coordinator)
    grow(2)
    small = _capture(client, reverse("governance:meeting_list"))
    grow(25)
    with django_assert_max_num_queries(small):
        assert client.get(reverse("governance:meeting_list")).status_code == 200


def test_the_sheet_asks_why_only_once_the_attendance_was_recorded(client, coordinator):
    a, _ = voting_member()
    meeting = all_hands()
    client.force_login(coordinator)
    assert "Why the attendance changes" not in client.get(sheet(meeting)).content.decode()
    assert client.post(sheet(meeting), {"present": [a.pk]}).status_code == 302
    page = client.get(sheet(meeting)).content.decode()
    assert "Why the attendance changes" in page
    # Saving the same boxes again is no change: no reason asked.
    assert client.post(sheet(meeting), {"present": [a.pk]}).status_code == 302
    # The boxes ticked stay ticked when the reason is missing.
    b, _ = voting_member()
    refused = client.post(sheet(meeting), {"present": [a.pk, b.pk]}).content.decode()
    assert f'value="{b.pk}"' in refused and "checked" in refused.split(f'value="{b.pk}"')[1][:40]
