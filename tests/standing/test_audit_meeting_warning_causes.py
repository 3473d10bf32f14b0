"""Audit: a member at risk of missing a meeting is warned once per meeting, not once for ever
for the same numbers (docs/domain.md, "Reasons, history and at risk")."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from membership.models import StatusNotice
from standing.services import status_recompute
from tests.factories import (
    AttendanceFactory,
    CircleFactory,
    CircleMeetingFactory,
    CircleRoleFactory,
    LabourEntryFactory,
    MeetingFactory,
    OperationalMembershipFactory,
    PolicyFactory,
)

pytestmark = pytest.mark.django_db

ADMITTED = datetime.date(2024, 12, 1)
FIRST_RUN = datetime.date(2024, 12, 20)
FIRST_MEETING = datetime.date(2025, 1, 15)
# A year later the first meeting has left the window: none held again, the next one near.
SECOND_RUN = datetime.date(2026, 1, 20)
SECOND_MEETING = datetime.date(2026, 2, 1)


def member(circle=None):
    membership = OperationalMembershipFactory(
        admitted_on=ADMITTED, applied_on=ADMITTED - datetime.timedelta(days=30)
    )
    for day in (5, 6):
        LabourEntryFactory(
            member=membership.member,
            hours=Decimal("20"),
            status="approved",
            occurred_on=datetime.date(2024, 12, day),
            decided_at=datetime.datetime(2024, 12, 7, 12, tzinfo=datetime.UTC),
        )
    CircleRoleFactory(
        member=membership.member, circle=circle or CircleFactory(), started_on=ADMITTED
    )
    return membership


def run(on, capture):
    with freeze_time(f"{on.isoformat()} 03:00:00"), capture(execute=True):
        status_recompute(on=on)


def causes(membership):
    return sorted(
        StatusNotice.objects.filter(
            membership=membership, kind=StatusNotice.Kind.AT_RISK
        ).values_list("cause", flat=True)
    )


def test_the_same_numbers_a_year_later_warn_again_of_the_next_all_hands_meeting(
    django_capture_on_commit_callbacks,
):
    PolicyFactory()
    membership = member()
    first = MeetingFactory(held_on=FIRST_MEETING, attendance_recorded_at=None)
    run(FIRST_RUN, django_capture_on_commit_callbacks)
    assert causes(membership) == ["attendance:0/1:2025-01-15"]

    AttendanceFactory(meeting=first, member=membership.member)
    first.attendance_recorded_at = timezone.now()
    first.save()
    MeetingFactory(held_on=SECOND_MEETING, attendance_recorded_at=None)
    mail.outbox.clear()
    run(SECOND_RUN, django_capture_on_commit_callbacks)

    # Missing it makes 0 of 1 again: a new meeting, a new warning, and its email.
    assert causes(membership) == ["attendance:0/1:2025-01-15", "attendance:0/1:2026-02-01"]
    assert any("Come to the next All Hands Meeting." in m.body for m in mail.outbox)
    # A second run the same day warns nobody twice.
    run(SECOND_RUN, django_capture_on_commit_callbacks)
    assert len(causes(membership)) == 2


def test_the_same_numbers_a_year_later_warn_again_of_the_next_circle_meeting(
    django_capture_on_commit_callbacks,
):
    PolicyFactory(participation_rule="circle")
    circle = CircleFactory()
    membership = member(circle)
    first = CircleMeetingFactory(circle=circle, held_on=FIRST_MEETING, attendance_recorded_at=None)
    run(FIRST_RUN, django_capture_on_commit_callbacks)
    assert causes(membership) == ["circle_attendance:0/1:2025-01-15"]

    AttendanceFactory(meeting=first, member=membership.member)
    first.attendance_recorded_at = timezone.now()
    first.save()
    CircleMeetingFactory(circle=circle, held_on=SECOND_MEETING, attendance_recorded_at=None)
    run(SECOND_RUN, django_capture_on_commit_callbacks)

    assert causes(membership) == [
        "circle_attendance:0/1:2025-01-15",
        "circle_attendance:0/1:2026-02-01",
    ]
