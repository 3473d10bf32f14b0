"""Circle meetings are recorded by their own circle's coordinators (and co-op admins), in the
pages and in the services themselves; All Hands Meetings as before."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance import services
from governance.models import Meeting
from tests.factories import UserFactory
from tests.governance.test_views import url, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "status"), [("coord_b", 403), ("member", 403), ("coord_a", 302)])
def test_only_the_circles_coordinator_records_its_meeting(client, world, role, status):  # noqa: F811
    client.force_login(world[role])
    member = world["member_obj"]
    response = client.post(url(world, "circle_attendance"), {"present": [member.pk]})
    assert response.status_code == status
    meeting = world["circle_meeting"]
    meeting.refresh_from_db()
    recorded = status == 302
    assert meeting.attendances.filter(member=member).exists() is recorded
    assert (meeting.attendance_recorded_by == world[role]) is recorded


def test_the_services_refuse_another_circles_coordinator(world):  # noqa: F811
    meeting = world["circle_meeting"]
    with pytest.raises(PermissionDenied):
        services.attendance_record(meeting=meeting, member_ids=[], actor=world["coord_b"])
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            kind=Meeting.Kind.CIRCLE,
            circle=meeting.circle,
            title="Not mine",
            held_on=timezone.localdate(),
            actor=world["coord_b"],
        )
    assert not Meeting.objects.filter(title="Not mine").exists()


def test_all_hands_meetings_are_planned_by_the_co_op_and_recorded_by_any_coordinator(
    world,  # noqa: F811
):
    day = timezone.localdate() - datetime.timedelta(days=2)
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            kind=Meeting.Kind.ALL_HANDS, title="AH", held_on=day, actor=world["coord_a"]
        )
    meeting = services.meeting_create(
        kind=Meeting.Kind.ALL_HANDS, title="AH", held_on=day, actor=world["admin"]
    )
    services.attendance_record(meeting=meeting, member_ids=[], actor=world["coord_b"])
    with pytest.raises(PermissionDenied):
        services.attendance_record(meeting=meeting, member_ids=[], actor=UserFactory())


def test_a_coordinator_plans_and_records_its_circles_meeting(world):  # noqa: F811
    day = timezone.localdate() - datetime.timedelta(days=1)
    meeting = services.meeting_create(
        kind=Meeting.Kind.CIRCLE,
        circle=world["circle_a"],
        title="Tech sync",
        held_on=day,
        actor=world["coord_a"],
    )
    services.attendance_record(
        meeting=meeting, member_ids=[world["member_obj"].pk], actor=world["coord_a"]
    )
    assert list(meeting.attendances.values_list("member_id", flat=True)) == [world["member_obj"].pk]
