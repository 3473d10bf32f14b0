"""When circle meetings count (the policy's participation rule), a member at the circle minimum
whose attended circle meeting is about to leave the window is warned before it lapses, as for
All Hands Meetings: on the dashboard and by an at-risk notice from the nightly run."""

from decimal import Decimal

import pytest
from freezegun import freeze_time

from membership.models import StatusNotice
from membership.reasons import reason_text
from membership.rules import circle_attendance_rule
from standing.services import status_recompute
from tests.factories import (
    AttendanceFactory,
    CircleFactory,
    MeetingFactory,
)
from tests.standing.test_audit_attendance_window_risk import (
    ADMITTED,
    D,
    at,
    committed_operational,
    dashboard_shows_at_risk,
    days,
    evaluate,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


@pytest.fixture
def policy():
    """The co-op's policy, counting circle meetings, written before the first night."""
    from tests.factories import PolicyFactory

    with freeze_time(at(D - days(10), 12)):
        return PolicyFactory(participation_rule="circle")


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def member_at_half(*, attended_on, missed_on):
    """Commitment met, seated for good in a circle, attended one of its two meetings."""
    with freeze_time(at(D - days(5), 12)):
        circle = CircleFactory()
        contact, membership = committed_operational(ADMITTED, circle=circle)
        went = MeetingFactory(kind="circle", circle=circle, held_on=attended_on)
        AttendanceFactory(meeting=went, member=membership.member)
        MeetingFactory(kind="circle", circle=circle, held_on=missed_on)
        return contact.user, membership


def circle_reason(evaluation):
    (reason,) = [r for r in evaluation.reasons if r.code.startswith("circle_attendance")]
    return reason


def test_an_attended_circle_meeting_leaving_within_30_days_warns_before_the_lapse():
    user, membership = member_at_half(attended_on=D - days(364), missed_on=D - days(100))
    today = evaluate(membership, D)
    assert today.computed == "active"
    assert evaluate(membership, D + days(2)).computed == "lapsed"  # 0 of 1
    reason = circle_reason(today)
    assert reason.ok and reason.at_risk
    text = reason_text(reason.as_json())
    assert text.endswith(
        "A meeting of your circles that you attended counts only until Nov 25, 2026."
    )
    assert text.startswith("Attended 1 of 2 meetings of your circles (50 %)")

    with freeze_time(at(D)), _capture(execute=True):
        status_recompute(on=D)
    notices = StatusNotice.objects.filter(membership=membership, kind="at_risk")
    assert list(notices.values_list("cause", flat=True)) == ["circle_attendance_window:2026-11-25"]
    dashboard_shows_at_risk(user, today, on=D)


def test_warned_from_30_days_before_and_not_earlier():
    _user, membership = member_at_half(attended_on=D - days(335), missed_on=D - days(100))
    assert circle_reason(evaluate(membership, D)).at_risk
    assert not circle_reason(evaluate(membership, D - days(1))).at_risk


def test_a_missed_circle_meeting_leaving_is_no_risk():
    _user, membership = member_at_half(attended_on=D - days(100), missed_on=D - days(364))
    assert not circle_reason(evaluate(membership, D)).at_risk
    assert evaluate(membership, D + days(2)).computed == "active"  # 1 of 1


def test_the_minimum_count_is_read_as_meetings_leave():
    """Two of three attended with a minimum of two meetings: one attended leaving leaves 1 of
    2, under the count of two, though at 50 %."""
    leaving = [(D + days(3), 1, 1)]
    reason = circle_attendance_rule(
        attended=2,
        held=3,
        minimum_percent=Decimal("50"),
        minimum_count=2,
        window_days=365,
        leaving=leaving,
    )
    assert reason.ok and reason.at_risk
    assert reason.cause == f"circle_attendance_window:{(D + days(3)).isoformat()}"
    safe = circle_attendance_rule(
        attended=2,
        held=3,
        minimum_percent=Decimal("50"),
        minimum_count=1,
        window_days=365,
        leaving=leaving,
    )
    assert safe.ok and not safe.at_risk


def test_a_usual_night_warns_on_the_day_the_meeting_comes_within_30_days_of_leaving():
    from membership.models import StatusRun
    from standing.tasks import recompute_status_nightly

    def night(day):
        with freeze_time(at(day)), _capture(execute=True):
            return StatusRun.objects.get(pk=recompute_status_nightly()["run"])

    _user, membership = member_at_half(attended_on=D - days(335), missed_on=D - days(100))
    first = night(D - days(1))
    assert first.scope == StatusRun.Scope.FULL
    assert not StatusNotice.objects.filter(membership=membership, kind="at_risk").exists()
    usual = night(D)
    assert usual.scope != StatusRun.Scope.FULL
    assert list(
        StatusNotice.objects.filter(membership=membership, kind="at_risk").values_list(
            "cause", flat=True
        )
    ) == [f"circle_attendance_window:{(D + days(30)).isoformat()}"]
