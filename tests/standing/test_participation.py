"""The participation rule of the policy in force on the day, through the database: the status
job and /me/ count All Hands Meetings, circle meetings, either or both, as the policy says."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from membership.models import Membership, Policy, StatusChange
from membership.reasons import reason_text
from standing.selectors import member_dashboard, status_evaluate
from standing.services import status_recompute
from tests.factories import (
    AttendanceFactory,
    CircleFactory,
    CircleMeetingFactory,
    CircleRoleFactory,
    LabourEntryFactory,
    MeetingFactory,
    MemberContactFactory,
    OperationalMembershipFactory,
    PolicyFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)
NOW = "2026-11-24 03:00:00"


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


def rule(participation, **values):
    """The policy in force (from 2020) counts participation as ``participation``."""
    Policy.objects.update(participation_rule=participation, **values)


def operational(*, admitted_on=None, circle=None, seat_from=None, member=None):
    """An operational membership that passes every other rule: commitment met, a seat in
    ``circle`` (a new one if none) from ``seat_from``."""
    admitted_on = admitted_on or D - days(500)
    kwargs = {"member": member} if member else {}
    membership = OperationalMembershipFactory(
        admitted_on=admitted_on, applied_on=admitted_on - days(10), **kwargs
    )
    for i in range(2):
        LabourEntryFactory(
            member=membership.member,
            hours=Decimal("20"),
            status="approved",
            occurred_on=datetime.date(2026, 1, 5) + days(i),
        )
    CircleRoleFactory(
        member=membership.member,
        circle=circle or CircleFactory(),
        started_on=seat_from or admitted_on,
    )
    return membership


def circle_of(membership):
    return membership.member.circle_roles.get().circle


def circle_meetings(membership, attended, missed, *, start=None, circle=None):
    circle = circle or circle_of(membership)
    start = start or D - days(300)
    for i in range(attended + missed):
        meeting = CircleMeetingFactory(circle=circle, held_on=start + days(20 * i))
        if i < attended:
            AttendanceFactory(meeting=meeting, member=membership.member)


def all_hands_meetings(membership, attended, missed):
    for i in range(attended + missed):
        meeting = MeetingFactory(held_on=D - days(290) + days(20 * i))
        if i < attended:
            AttendanceFactory(meeting=meeting, member=membership.member)


def evaluate(membership, on=D):
    (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    return evaluation


def codes(evaluation):
    return [r.code for r in evaluation.reasons]


# --- the default: today's rule, unchanged ---------------------------------------------------


def test_existing_policies_count_all_hands_only():
    assert Policy.objects.get().participation_rule == "all_hands"
    membership = operational()
    circle_meetings(membership, attended=0, missed=4)  # circle meetings missed: no matter
    all_hands_meetings(membership, attended=4, missed=4)
    evaluation = evaluate(membership)
    assert evaluation.computed == "active"
    assert codes(evaluation) == ["commitment_met", "circle_member", "attendance_ok"]


# --- circle meetings only ---------------------------------------------------------------------


def test_circle_rule_exactly_at_the_minimum_is_active():
    rule("circle")
    membership = operational()
    circle_meetings(membership, attended=2, missed=2)
    all_hands_meetings(membership, attended=0, missed=8)  # no longer counted
    evaluation = evaluate(membership)
    assert evaluation.computed == "active"
    assert codes(evaluation) == ["commitment_met", "circle_member", "circle_attendance_ok"]


def test_circle_rule_one_meeting_short_lapses_with_the_numbers():
    rule("circle")
    membership = operational()
    circle_meetings(membership, attended=1, missed=3)
    status_recompute(on=D)
    membership.refresh_from_db()
    assert membership.status == "lapsed"
    change = StatusChange.objects.filter(membership=membership).latest("changed_at")
    assert [reason_text(r) for r in change.reasons if not r["ok"]] == [
        "Attended 1 of 4 meetings of your circles (25 %), 50 % needed."
    ]


def test_circle_rule_with_a_minimum_count_at_its_threshold():
    rule(
        "circle", circle_attendance_minimum_percent=Decimal("0"), circle_attendance_minimum_count=3
    )
    enough = operational()
    circle_meetings(enough, attended=3, missed=5)
    short = operational()
    circle_meetings(short, attended=2, missed=6)
    assert evaluate(enough).computed == "active"
    assert evaluate(short).computed == "lapsed"


def test_only_meetings_of_circles_the_member_sat_in_that_day_count():
    rule("circle")
    membership = operational(seat_from=D - days(100))
    circle = circle_of(membership)
    circle_meetings(membership, attended=0, missed=3, start=D - days(300))  # before the seat
    other = CircleFactory()
    for i in range(3):  # another circle's meetings, and an unrecorded one of its own
        CircleMeetingFactory(circle=other, held_on=D - days(50 + i))
    CircleMeetingFactory(circle=circle, held_on=D - days(10), attendance_recorded_at=None)
    AttendanceFactory(
        meeting=CircleMeetingFactory(circle=circle, held_on=D - days(40)), member=membership.member
    )
    CircleMeetingFactory(circle=circle, held_on=D - days(30))
    evaluation = evaluate(membership)
    assert evaluation.computed == "active"
    assert evaluation.reasons[2].params["held"] == 2  # 1 of 2: exactly 50 %


def test_circle_meetings_before_admission_or_on_the_day_evaluated_do_not_count():
    rule("circle")
    membership = operational(admitted_on=D - days(100), seat_from=D - days(400))
    circle_meetings(membership, attended=0, missed=3, start=D - days(300))  # before admission
    CircleMeetingFactory(circle=circle_of(membership), held_on=D)  # the day itself
    evaluation = evaluate(membership)
    assert codes(evaluation)[2] == "circle_attendance_none_held"
    assert evaluation.computed == "active"


def test_two_seats_in_one_circle_count_each_meeting_once():
    rule("circle")
    membership = operational()
    circle = circle_of(membership)
    CircleRoleFactory(
        member=membership.member,
        circle=circle,
        role="coordinator",
        started_on=D - days(400),
    )
    circle_meetings(membership, attended=1, missed=1, circle=circle)
    assert evaluate(membership).reasons[2].params == {
        "attended": 1,
        "held": 2,
        "minimum": "50",
        "count": 0,
        "days": 365,
        "percent": "50",
    }


def test_a_circle_meeting_within_30_days_puts_a_member_at_the_minimum_at_risk():
    rule("circle")
    membership = operational()
    circle_meetings(membership, attended=2, missed=2)
    CircleMeetingFactory(
        circle=circle_of(membership), held_on=D + days(30), attendance_recorded_at=None
    )
    evaluation = evaluate(membership)
    assert evaluation.computed == "active"
    assert [r.cause for r in evaluation.at_risk] == [
        f"circle_attendance:2/5:{(D + days(30)).isoformat()}"
    ]


# --- both, either ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("participation", "ah", "circ", "status"),
    [
        ("both", (4, 4), (2, 2), "active"),
        ("both", (3, 5), (2, 2), "lapsed"),
        ("both", (4, 4), (1, 3), "lapsed"),
        ("either", (3, 5), (2, 2), "active"),
        ("either", (4, 4), (1, 3), "active"),
        ("either", (3, 5), (1, 3), "lapsed"),
    ],
)
def test_both_and_either_at_their_thresholds(participation, ah, circ, status):
    rule(participation)
    membership = operational()
    all_hands_meetings(membership, *ah)
    circle_meetings(membership, *circ)
    assert evaluate(membership).computed == status


# --- a change of policy on a date -------------------------------------------------------------


def test_a_new_policy_switches_the_rule_from_its_first_day():
    """All Hands until the day before, circle meetings from the day the new policy starts."""
    PolicyFactory(effective_from=D, participation_rule="circle")
    membership = operational()
    all_hands_meetings(membership, attended=1, missed=3)  # held before D - 1
    circle_meetings(membership, attended=2, missed=2)
    before = evaluate(membership, on=D - days(1))
    assert before.computed == "lapsed" and codes(before)[2] == "attendance_low"
    after = evaluate(membership, on=D)
    assert after.computed == "active" and codes(after)[2] == "circle_attendance_ok"


# --- the job stays set-based ----------------------------------------------------------------


def _queries(on=D):
    with CaptureQueriesContext(connection) as ctx:
        status_evaluate(Membership.objects.all(), on=on)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("participation", ["circle", "either", "both"])
def test_the_query_count_does_not_grow_with_members_and_meetings(participation):
    rule(participation)
    for _ in range(2):
        membership = operational()
        circle_meetings(membership, attended=1, missed=1)
        all_hands_meetings(membership, attended=1, missed=1)
    few = _queries()
    for _ in range(20):
        membership = operational()
        circle_meetings(membership, attended=3, missed=2)
        all_hands_meetings(membership, attended=1, missed=1)
    assert _queries() == few


def test_counting_circles_reads_three_more_queries_than_the_default():
    """Their attendance, a meeting of theirs coming, and whether one is about to leave the
    window (the attendance of those only when one is)."""
    operational()
    default = _queries()
    rule("both")
    assert _queries() == default + 3
    rule("circle")
    assert _queries() == default  # no All Hands days nor attendance; the next one read


# --- /me/ --------------------------------------------------------------------------------------


def test_me_shows_the_circle_reasons_and_advice(client):
    rule("circle")
    contact = MemberContactFactory()
    membership = operational(member=contact.member)
    circle_meetings(membership, attended=1, missed=3)
    client.force_login(contact.user)
    page = client.get("/me/").content.decode()
    assert "Attended 1 of 4 meetings of your circles (25 %), 50 % needed." in page
    assert "Come to the next meetings of your circles" in page


@pytest.mark.parametrize("participation", ["all_hands", "circle", "either", "both"])
def test_me_evaluates_as_the_nightly_job_does(participation):
    rule(participation)
    contact = MemberContactFactory()
    membership = operational(member=contact.member)
    circle_meetings(membership, attended=1, missed=2)
    all_hands_meetings(membership, attended=2, missed=2)
    CircleMeetingFactory(circle=circle_of(membership), held_on=D + days(3))
    card = member_dashboard(
        contact.user, on=D, now=datetime.datetime(2026, 11, 24, 3, tzinfo=datetime.UTC)
    )["cards"][0]
    job = evaluate(membership)
    assert [(r["code"], r["ok"], r["at_risk"], r["params"]) for r in card["reasons"]] == [
        (r.code, r.ok, r.at_risk, r.params) for r in job.reasons
    ]
    assert card["computed"] == job.computed


@pytest.mark.parametrize("participation", ["circle", "both"])
def test_me_stays_within_its_query_bound_when_circles_count(
    client, participation, django_assert_max_num_queries
):
    from tests.standing.test_dashboard_queries import MOST, person_with_both_memberships

    rule(participation)
    user = person_with_both_memberships(3)
    client.force_login(user)
    with django_assert_max_num_queries(MOST):
        assert client.get("/me/").status_code == 200


# --- the admin --------------------------------------------------------------------------------


def test_a_co_op_admin_adds_a_policy_that_counts_circle_meetings(client, coop_admin):
    from meetcoop.core.models import AuditEntry
    from tests.membership.test_admin_writes import POLICIES, policy_data

    client.force_login(coop_admin)
    data = policy_data(
        "2026-12-01",
        participation_rule="either",
        circle_attendance_minimum_percent="40",
        circle_attendance_minimum_count="2",
    )
    assert client.post(f"{POLICIES}add/", data).status_code == 302
    policy = Policy.objects.get(effective_from=datetime.date(2026, 12, 1))
    assert (policy.participation_rule, policy.circle_attendance_minimum_count) == ("either", 2)
    assert policy.circle_attendance_minimum_percent == Decimal("40")
    assert AuditEntry.objects.filter(action="membership.policy.created").exists()
    refused = client.post(
        f"{POLICIES}add/",
        {**data, "effective_from": "2026-12-02", "participation_rule": "sometimes"},
    )
    assert refused.status_code == 200
    assert not Policy.objects.filter(effective_from=datetime.date(2026, 12, 2)).exists()


# --- the words of "no circle meeting held" -----------------------------------------------------


def _circle_attendance(membership):
    (reason,) = [r for r in evaluate(membership).reasons if r.code.startswith("circle_att")]
    return reason.code, reason_text(reason.as_json())


def test_no_circle_meeting_since_an_admission_inside_the_window_says_since_the_admission():
    """Its circle met before it was admitted: those meetings don't count for it, and "None of
    your circles held a meeting in the last 365 days" would be untrue."""
    rule("circle")
    circle = CircleFactory()
    CircleMeetingFactory(circle=circle, held_on=D - days(200))
    membership = operational(admitted_on=D - days(100), circle=circle, seat_from=D - days(300))
    code, text = _circle_attendance(membership)
    assert code == "circle_attendance_none_held"
    assert text == "None of your circles held a meeting since you were admitted on Aug 16, 2026."


def test_no_circle_meeting_in_the_whole_window_names_the_window():
    rule("circle")
    membership = operational(admitted_on=D - days(500))
    code, text = _circle_attendance(membership)
    assert code == "circle_attendance_none_held"
    assert text == "None of your circles held a meeting in the last 365 days."


def test_the_dashboard_says_the_same_as_the_nightly_run(client):
    rule("circle")
    member = MemberContactFactory()
    circle = CircleFactory()
    CircleMeetingFactory(circle=circle, held_on=D - days(200))
    membership = operational(admitted_on=D - days(100), circle=circle, member=member.member)
    (card,) = member_dashboard(member.user, on=D, now=timezone.now())["cards"]
    (reason,) = [r for r in card["reasons"] if r["code"].startswith("circle_att")]
    assert reason["params"] == dict(evaluate(membership).reasons[-1].params)
    assert reason["text"].startswith("None of your circles held a meeting since you were admitted")


def test_no_circle_meeting_since_a_seat_taken_inside_the_window_says_since_the_seat():
    """Admitted long ago, seated in the circle since: its circle met before the seat began,
    which doesn't count for it, and "in the last 365 days" would be untrue."""
    rule("circle")
    circle = CircleFactory()
    CircleMeetingFactory(circle=circle, held_on=D - days(200))
    membership = operational(admitted_on=D - days(500), circle=circle, seat_from=D - days(100))
    code, text = _circle_attendance(membership)
    assert code == "circle_attendance_none_held"
    assert text == "None of your circles held a meeting since you were seated on Aug 16, 2026."


def test_the_later_of_the_admission_and_the_seat_is_named():
    rule("circle")
    circle = CircleFactory()
    CircleMeetingFactory(circle=circle, held_on=D - days(250))
    seated_later = operational(admitted_on=D - days(300), circle=circle, seat_from=D - days(100))
    assert _circle_attendance(seated_later)[1] == (
        "None of your circles held a meeting since you were seated on Aug 16, 2026."
    )
    admitted_later = operational(admitted_on=D - days(100), circle=circle, seat_from=D - days(300))
    assert _circle_attendance(admitted_later)[1] == (
        "None of your circles held a meeting since you were admitted on Aug 16, 2026."
    )


def test_a_seat_held_since_before_the_window_names_the_window():
    """Seated in another circle since before the window: its meetings could have counted all
    year, so the window is named, whatever seat was taken since."""
    rule("circle")
    circle = CircleFactory()
    CircleMeetingFactory(circle=circle, held_on=D - days(200))
    membership = operational(admitted_on=D - days(500), circle=circle, seat_from=D - days(100))
    CircleRoleFactory(member=membership.member, started_on=D - days(400))
    (reason,) = [r for r in evaluate(membership).reasons if r.code.startswith("circle_att")]
    assert reason_text(reason.as_json()) == (
        "None of your circles held a meeting in the last 365 days."
    )


def test_the_dashboard_names_the_seat_as_the_nightly_run_does(client):
    rule("circle")
    member = MemberContactFactory()
    circle = CircleFactory()
    CircleMeetingFactory(circle=circle, held_on=D - days(200))
    membership = operational(
        admitted_on=D - days(500), circle=circle, seat_from=D - days(100), member=member.member
    )
    (card,) = member_dashboard(member.user, on=D, now=timezone.now())["cards"]
    (reason,) = [r for r in card["reasons"] if r["code"].startswith("circle_att")]
    assert reason["params"] == dict(evaluate(membership).reasons[-1].params)
    assert reason["text"] == (
        "None of your circles held a meeting since you were seated on Aug 16, 2026."
    )
