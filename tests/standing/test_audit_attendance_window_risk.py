"""Audit: a member at the attendance minimum whose attended meeting is about to leave the
window lapses when it leaves, with no All Hands Meeting scheduled to make up for it. DOMAIN.md:
"The member sees the same reasons on their dashboard before they lapse ("at risk")"."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from membership.models import Membership, StatusNotice
from membership.reasons import reason_text
from standing.selectors import member_dashboard, status_evaluate
from standing.services import status_recompute
from tests.factories import (
    AttendanceFactory,
    CircleRoleFactory,
    LabourEntryFactory,
    MeetingFactory,
    MemberContactFactory,
    OperationalMembershipFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)


def days(n):
    return datetime.timedelta(days=n)


def at(day, hour=3):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def run(day):
    with freeze_time(at(day)), _capture(execute=True):
        return status_recompute(on=day)


ADMITTED = D - days(600)


def member_at_half(*, attended_on, missed_on, admitted_on=ADMITTED):
    """Commitment met, seated for good, attended one of two All Hands Meetings in the window."""
    with freeze_time(at(D - days(5), 12)):
        return _member_at_half(attended_on, missed_on, admitted_on)


def committed_operational(admitted_on, **seat):
    """A contact's operational membership, its commitment met (40 hours approved), seated
    from its admission (``seat``: the seat's circle, if given)."""
    contact = MemberContactFactory()
    membership = OperationalMembershipFactory(member=contact.member, admitted_on=admitted_on)
    for _ in range(2):
        LabourEntryFactory(
            member=membership.member,
            hours=Decimal("20"),
            status="approved",
            occurred_on=D - days(5),
        )
    CircleRoleFactory(member=membership.member, started_on=admitted_on, **seat)
    return contact, membership


def _member_at_half(attended_on, missed_on, admitted_on):
    contact, membership = committed_operational(admitted_on)
    AttendanceFactory(meeting=MeetingFactory(held_on=attended_on), member=membership.member)
    MeetingFactory(held_on=missed_on)
    return contact.user, membership


def evaluate(membership, on):
    with freeze_time(at(on)):
        (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    return evaluation


def dashboard_shows_at_risk(user, evaluation, *, on):
    """The member's dashboard on ``on`` shows the card at risk with the reasons of
    ``evaluation``, as the nightly run found them."""
    with freeze_time(at(on)):
        (card,) = member_dashboard(user, on=on, now=at(on))["cards"]
    assert card["at_risk"]
    assert [(r["code"], r["ok"], r["at_risk"], r["params"]) for r in card["reasons"]] == [
        (r.code, r.ok, r.at_risk, r.params) for r in evaluation.reasons
    ]


def test_an_attended_meeting_leaving_the_window_within_30_days_warns_before_the_lapse():
    # Attended 364 days before D: it counts through D + 1 and no longer on D + 2.
    user, membership = member_at_half(attended_on=D - days(364), missed_on=D - days(100))
    today = evaluate(membership, D)
    assert today.computed == "active"
    assert evaluate(membership, D + days(2)).computed == "lapsed"  # 0 of 1
    (attendance,) = [r for r in today.reasons if r.code.startswith("attendance")]
    assert attendance.ok and attendance.at_risk
    assert reason_text(attendance.as_json()) == (
        "Attended 1 of 2 All Hands Meetings (50 %), 50 % needed; a meeting you attended "
        "counts only until Nov 25, 2026."
    )

    run(D)
    assert StatusNotice.objects.filter(membership=membership, kind="at_risk").count() == 1
    dashboard_shows_at_risk(user, today, on=D)


def test_it_is_warned_from_30_days_before_the_meeting_leaves_and_not_earlier():
    # Counts through D + 30 (held D - 335): warned on D, not on D - 1.
    _user, membership = member_at_half(attended_on=D - days(335), missed_on=D - days(100))
    assert evaluate(membership, D).at_risk
    assert not evaluate(membership, D - days(1)).at_risk


def test_a_missed_meeting_leaving_is_no_risk():
    _user, membership = member_at_half(attended_on=D - days(100), missed_on=D - days(364))
    assert not evaluate(membership, D).at_risk
    assert evaluate(membership, D + days(2)).computed == "active"  # 1 of 1


def test_a_lapse_of_a_few_days_between_two_meetings_leaving_is_warned_too():
    _user, membership = member_at_half(attended_on=D - days(364), missed_on=D - days(360))
    assert evaluate(membership, D).at_risk
    assert evaluate(membership, D + days(2)).computed == "lapsed"  # 0 of 1
    assert evaluate(membership, D + days(10)).computed == "active"  # none held


def test_every_meeting_leaving_the_same_day_is_no_risk_since_none_held_passes():
    _user, membership = member_at_half(attended_on=D - days(364), missed_on=D - days(364))
    assert not evaluate(membership, D).at_risk
    assert evaluate(membership, D + days(2)).computed == "active"  # none held


def test_the_nightly_plan_evaluates_the_member_on_the_day_the_warning_is_due():
    from standing.selectors.plan import nightly_plan

    _user, membership = member_at_half(attended_on=D - days(335), missed_on=D - days(100))
    run(D - days(2))
    with freeze_time(at(D - days(1))), _capture(execute=True):
        status_recompute(on=D - days(1), plan=nightly_plan(on=D - days(1)))
    assert not StatusNotice.objects.filter(membership=membership, kind="at_risk").exists()
    with freeze_time(at(D)), _capture(execute=True):
        plan = nightly_plan(on=D)
        assert membership.pk in set(plan.memberships.values_list("pk", flat=True))
        status_recompute(on=D, plan=plan)
    assert StatusNotice.objects.filter(membership=membership, kind="at_risk").count() == 1


def test_leaving_and_missing_the_next_meeting_together_warn():
    from membership.rules import attendance_rule

    # 2 of 3 today; the attended meeting leaving makes 1 of 2 (passes), missing the next
    # one alone makes 2 of 4 (passes), both together 1 of 3 (fails).
    last_day = D + days(10)
    reason = attendance_rule(
        attended=2,
        held=3,
        minimum_percent=Decimal("50"),
        window_days=365,
        next_meeting_held=4,
        leaving=[(last_day, 1, 1)],
    )
    assert reason.ok and reason.at_risk and reason.cause == "attendance:1/3"
    assert "until" not in reason.params


def test_the_words_of_a_stored_reason_without_risk_do_not_name_a_day():
    text = reason_text(
        {
            "code": "attendance_ok",
            "ok": True,
            "at_risk": False,
            "params": {
                "attended": 1,
                "held": 2,
                "percent": "50",
                "minimum": "50",
                "days": 365,
                "until": "2026-11-25",
            },
        }
    )
    assert text == "Attended 1 of 2 All Hands Meetings (50 %), 50 % needed."
