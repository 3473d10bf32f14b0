"""The participation rule of the policy, each choice at its threshold (pure functions)."""

from decimal import Decimal

import pytest

from membership.reasons import reason_advice, reason_text
from membership.rules import attendance_rule, circle_attendance_rule, participation_rule

HALF = Decimal("50")


def circles(attended, held, *, minimum=HALF, count=0, next_held=None):
    return circle_attendance_rule(
        attended=attended,
        held=held,
        minimum_percent=minimum,
        minimum_count=count,
        window_days=365,
        next_meeting_held=next_held,
    )


def all_hands(attended, held, next_held=None):
    return attendance_rule(
        attended=attended,
        held=held,
        minimum_percent=HALF,
        window_days=365,
        next_meeting_held=next_held,
    )


def text(reason):
    return reason_text(reason.as_json())


def test_exactly_the_circle_minimum_passes():
    reason = circles(2, 4)
    assert reason.ok and reason.code == "circle_attendance_ok"
    assert text(reason) == "Attended 2 of 4 meetings of your circles (50 %), 50 % needed."


def test_one_circle_meeting_short_fails_with_the_numbers_and_advice():
    reason = circles(1, 4)
    assert not reason.ok and reason.code == "circle_attendance_low"
    assert text(reason) == "Attended 1 of 4 meetings of your circles (25 %), 50 % needed."
    assert "next meetings of your circles" in reason_advice(reason.as_json())


def test_no_circle_meeting_held_passes():
    reason = circles(0, 0)
    assert reason.ok and reason.code == "circle_attendance_none_held"
    assert text(reason) == "None of your circles held a meeting in the last 365 days."


def test_the_minimum_count_at_its_threshold():
    assert circles(3, 12, minimum=Decimal("25"), count=3).ok
    reason = circles(2, 8, minimum=Decimal("25"), count=3)  # 25 % but one meeting short
    assert not reason.ok
    assert text(reason) == (
        "Attended 2 of 8 meetings of your circles (25 %); 25 % and at least 3 meetings are needed."
    )


def test_the_minimum_count_asks_no_more_than_the_meetings_held():
    assert circles(2, 2, minimum=Decimal("0"), count=3).ok
    assert not circles(1, 2, minimum=Decimal("0"), count=3).ok


def test_missing_the_next_circle_meeting_under_the_minimum_is_at_risk():
    assert circles(2, 4, next_held=5).at_risk  # 2 of 5 is 40 %
    assert not circles(3, 4, next_held=5).at_risk  # 3 of 5 is 60 %
    assert circles(3, 4, next_held=5).cause == ""
    assert circles(2, 4, next_held=5).cause == "circle_attendance:2/5"


@pytest.mark.parametrize(
    ("rule", "ah", "circ", "ok"),
    [
        ("both", (4, 8), (2, 4), True),
        ("both", (3, 8), (2, 4), False),
        ("both", (4, 8), (1, 4), False),
        ("either", (3, 8), (2, 4), True),
        ("either", (4, 8), (1, 4), True),
        ("either", (3, 8), (1, 4), False),
        ("either", (4, 8), (2, 4), True),
    ],
)
def test_both_and_either_at_the_threshold(rule, ah, circ, ok):
    reasons = participation_rule(rule, all_hands=all_hands(*ah), circles=circles(*circ))
    assert all(r.ok for r in reasons) is ok
    assert len(reasons) == 2


def test_either_words_the_missed_side_as_covered_by_the_other():
    reasons = participation_rule("either", all_hands=all_hands(3, 8), circles=circles(2, 4))
    assert [r.code for r in reasons] == ["attendance_covered", "circle_attendance_ok"]
    assert text(reasons[0]) == (
        "Attended 3 of 8 All Hands Meetings (38 %), under the 50 % minimum; that is enough "
        "because your circle meetings count instead."
    )
    reasons = participation_rule("either", all_hands=all_hands(4, 8), circles=circles(1, 4))
    assert [r.code for r in reasons] == ["attendance_ok", "circle_attendance_covered"]
    assert "your All Hands attendance counts instead" in text(reasons[1])


def test_either_is_at_risk_only_when_both_sides_are():
    one = participation_rule(
        "either", all_hands=all_hands(4, 8, next_held=9), circles=circles(3, 4, next_held=5)
    )
    assert not any(r.at_risk for r in one)
    both = participation_rule(
        "either", all_hands=all_hands(4, 8, next_held=9), circles=circles(2, 4, next_held=5)
    )
    assert all(r.at_risk for r in both)
    covered = participation_rule(
        "either", all_hands=all_hands(4, 8, next_held=9), circles=circles(1, 4)
    )
    assert covered[0].at_risk and covered[0].code == "attendance_ok"


def test_a_single_choice_keeps_only_its_own_reason():
    assert [
        r.code for r in participation_rule("all_hands", all_hands=all_hands(1, 8), circles=None)
    ] == ["attendance_low"]
    assert [
        r.code for r in participation_rule("circle", all_hands=None, circles=circles(2, 4))
    ] == ["circle_attendance_ok"]
