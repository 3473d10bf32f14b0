"""Each active-status rule of DOMAIN.md at its boundary (pure functions, no database)."""

import datetime
from decimal import Decimal

from membership.reasons import reason_advice, reason_text
from membership.rules import (
    attendance_rule,
    circle_attendance_rule,
    circle_rule,
    commitment_rule,
    dues_rule,
    reseller_rule,
    status_from,
    terms_rule,
)
from tests.factories import PolicyFactory

D = datetime.date(2026, 11, 24)
POLICY = PolicyFactory.build()


def test_commitment_fulfilled_passes_after_the_deadline():
    reason = commitment_rule(
        on=D, progress=Decimal("100"), deadline=D - datetime.timedelta(days=90), policy=POLICY
    )
    assert reason.ok and reason.code == "commitment_met"


def test_commitment_due_today_still_passes():
    reason = commitment_rule(on=D, progress=Decimal("75"), deadline=D, policy=POLICY)
    assert reason.ok and reason.at_risk
    assert reason.code == "commitment_due"


def test_commitment_due_yesterday_fails():
    reason = commitment_rule(
        on=D, progress=Decimal("99.99"), deadline=D - datetime.timedelta(days=1), policy=POLICY
    )
    assert not reason.ok
    assert reason_text(reason.as_json()) == (
        "Commitment 99 % fulfilled; 100 % of €500.00 (or 40 hours) was due by Nov 23, 2026."
    )


def test_commitment_far_from_deadline_is_not_at_risk():
    reason = commitment_rule(
        on=D, progress=Decimal("10"), deadline=D + datetime.timedelta(days=31), policy=POLICY
    )
    assert reason.ok and not reason.at_risk
    near = commitment_rule(
        on=D, progress=Decimal("10"), deadline=D + datetime.timedelta(days=30), policy=POLICY
    )
    assert near.at_risk and near.cause == "commitment:2026-12-24"


def test_circle_needed():
    assert circle_rule(circle_count=1).ok
    assert not circle_rule(circle_count=0).ok


def test_attendance_exactly_half_passes():
    reason = attendance_rule(attended=4, held=8, minimum_percent=Decimal("50"), window_days=365)
    assert reason.ok


def test_attendance_under_half_fails_with_the_numbers():
    reason = attendance_rule(attended=3, held=8, minimum_percent=Decimal("50"), window_days=365)
    assert not reason.ok
    assert reason_text(reason.as_json()) == (
        "Attended 3 of 8 All Hands Meetings (38 %), 50 % needed."
    )


def test_attendance_with_no_meeting_in_the_window_passes():
    reason = attendance_rule(attended=0, held=0, minimum_percent=Decimal("50"), window_days=365)
    assert reason.ok and reason.code == "attendance_none_held"


def test_attendance_at_risk_when_missing_the_next_meeting_would_fail():
    safe = attendance_rule(
        attended=5, held=8, minimum_percent=Decimal("50"), window_days=365, next_meeting_held=9
    )
    assert safe.ok and not safe.at_risk
    edge = attendance_rule(
        attended=4, held=8, minimum_percent=Decimal("50"), window_days=365, next_meeting_held=9
    )
    assert edge.ok and edge.at_risk


def test_attendance_with_none_held_yet_is_at_risk_when_the_first_meeting_is_coming():
    """No meeting in the window yet and one coming within 30 days: missing it makes 0 of 1,
    so the member is warned before, not only told after it lapsed."""
    coming = attendance_rule(
        attended=0, held=0, minimum_percent=Decimal("50"), window_days=365, next_meeting_held=1
    )
    assert coming.ok and coming.at_risk and coming.code == "attendance_none_held"
    assert reason_advice(coming.as_json()) == "Come to the next All Hands Meeting."
    none_needed = attendance_rule(
        attended=0, held=0, minimum_percent=Decimal("0"), window_days=365, next_meeting_held=1
    )
    assert none_needed.ok and not none_needed.at_risk
    circles = circle_attendance_rule(
        attended=0,
        held=0,
        minimum_percent=Decimal("50"),
        minimum_count=0,
        window_days=365,
        next_meeting_held=1,
    )
    assert circles.ok and circles.at_risk and circles.code == "circle_attendance_none_held"


def test_a_share_under_the_minimum_never_reads_as_reaching_it():
    """Half up (3 of 8 reads 38 %), except where that would read as the minimum: 51 of 103
    (49.5 %) fails, and reads 49 %."""
    low = attendance_rule(attended=51, held=103, minimum_percent=Decimal("50"), window_days=365)
    assert not low.ok
    assert reason_text(low.as_json()) == (
        "Attended 51 of 103 All Hands Meetings (49 %), 50 % needed."
    )
    circles = circle_attendance_rule(
        attended=51, held=103, minimum_percent=Decimal("50"), minimum_count=0, window_days=365
    )
    assert not circles.ok and circles.as_json()["params"]["percent"] == "49"
    passing = attendance_rule(attended=2, held=3, minimum_percent=Decimal("50"), window_days=365)
    assert passing.as_json()["params"]["percent"] == "67"


def test_reseller_overdue_fails():
    assert reseller_rule(missing_reports=[], unpaid_shares=[]).ok
    reason = reseller_rule(missing_reports=["2026-Q2"], unpaid_shares=["2026-Q1"])
    assert not reason.ok
    assert reason_text(reason.as_json()) == (
        "As a reseller: the revenue report for 2026-Q2 is overdue; the revenue share for "
        "2026-Q1 is unpaid past its due date."
    )


def test_dues_one_day_inside_the_grace_period_passes_at_risk():
    due = D - datetime.timedelta(days=30)  # deadline = due + 30 = D
    reason = dues_rule(on=D, unpaid=[(due, Decimal("10.00"), "EUR")], grace_days=30)
    assert reason.ok and reason.at_risk


def test_dues_one_day_outside_the_grace_period_fails():
    due = D - datetime.timedelta(days=31)
    reason = dues_rule(on=D, unpaid=[(due, Decimal("10.00"), "EUR")], grace_days=30)
    assert not reason.ok
    assert "grace period" in reason_text(reason.as_json())


def test_no_unpaid_dues_passes():
    assert dues_rule(on=D, unpaid=[], grace_days=30).ok


def _published(days_ago):
    return datetime.datetime.combine(
        D - datetime.timedelta(days=days_ago), datetime.time(9), tzinfo=datetime.UTC
    )


def test_terms_just_published_are_pending_not_failing():
    reason = terms_rule(
        on=D, required=[("Terms of Use", "2.0", _published(1), False)], acceptance_days=30
    )
    assert reason.ok and reason.at_risk and reason.code == "terms_pending"


def test_terms_on_the_last_day_of_the_period_still_pass():
    reason = terms_rule(
        on=D, required=[("Terms of Use", "2.0", _published(30), False)], acceptance_days=30
    )
    assert reason.ok


def test_terms_past_the_acceptance_period_fail():
    reason = terms_rule(
        on=D, required=[("Terms of Use", "2.0", _published(31), False)], acceptance_days=30
    )
    assert not reason.ok and reason.code == "terms_missing"


def test_terms_accepted_pass():
    reason = terms_rule(
        on=D, required=[("Terms of Use", "2.0", _published(300), True)], acceptance_days=30
    )
    assert reason.ok and reason.code == "terms_ok"


def test_one_failing_rule_lapses_the_membership():
    good = circle_rule(circle_count=2)
    bad = circle_rule(circle_count=0)
    assert status_from([good, good]) == "active"
    assert status_from([good, bad]) == "lapsed"


def test_reason_dates_are_worded_in_the_readers_medium_format():
    from django.utils import translation

    reason = {
        "code": "terms_pending",
        "ok": True,
        "params": {"document": "Terms of Use", "version": "2.0", "deadline": "2025-10-12"},
    }
    assert reason_text(reason) == "Please accept Terms of Use 2.0 by Oct 12, 2025."
    with translation.override("de"):
        assert "12.10.2025" in reason_text(reason)  # never "10/12/2025"


# --- at risk before a lapse known in advance: the seats' end, a quarter falling due --------------


def test_a_circle_seating_ending_within_30_days_is_at_risk_with_the_advice_of_having_none():
    """The only seat ends on D+5: the member lapses on D+6, so it is warned on D, from the day
    the end is 30 days ahead; one notice per last day seated."""
    soon = circle_rule(circle_count=1, on=D, seated_until=D + datetime.timedelta(days=5))
    assert soon.ok and soon.at_risk and soon.code == "circle_member"
    assert soon.cause == "circle:2026-11-29"
    assert reason_text(soon.as_json()) == (
        "Member of 1 circle until Nov 29, 2026; operational members need at least one."
    )
    assert reason_advice(soon.as_json()) == reason_advice(circle_rule(circle_count=0).as_json())
    assert reason_advice(soon.as_json()) == "Ask a circle's coordinator to add you to the circle."
    edge = circle_rule(circle_count=2, on=D, seated_until=D + datetime.timedelta(days=30))
    assert edge.at_risk and edge.cause == "circle:2026-12-24"
    later = circle_rule(circle_count=2, on=D, seated_until=D + datetime.timedelta(days=31))
    assert later.ok and not later.at_risk and later.cause == ""
    assert not circle_rule(circle_count=1, on=D).at_risk  # a seat with no end
    assert not circle_rule(circle_count=0, on=D, seated_until=D).ok


def test_seated_through_follows_seats_that_continue_each_other():
    from governance.selectors import seated_through

    def day(n):
        return D + datetime.timedelta(days=n)

    # The only seat ends D+5.
    assert seated_through([(day(-100), day(5))], on=D, days=30) == day(5)
    # A second seat starts the day after: no day without a seat, nothing ends within 30 days.
    assert seated_through([(day(-100), day(5)), (day(6), None)], on=D, days=30) is None
    assert seated_through([(day(6), day(60)), (day(-100), day(5))], on=D, days=30) is None
    # ... or it ends within the 30 days too: the last day is the second seat's.
    assert seated_through([(day(-100), day(5)), (day(6), day(20))], on=D, days=30) == day(20)
    # A day between them without a seat: the first end counts.
    assert seated_through([(day(-100), day(5)), (day(7), None)], on=D, days=30) == day(5)
    # Two seats held today, one without an end; a seat over before today is no seat.
    assert seated_through([(day(-100), day(5)), (day(-10), None)], on=D, days=30) is None
    assert seated_through([(day(-100), day(-1))], on=D, days=30) is None
    assert seated_through([(day(-100), day(30))], on=D, days=30) == day(30)
    assert seated_through([(day(-100), day(31))], on=D, days=30) is None


def test_a_quarter_falling_due_is_at_risk_with_the_advice_of_an_overdue_one():
    from membership.rules import RESELLER_OK

    soon = reseller_rule(missing_reports=[], unpaid_shares=[], due_soon=["2026-Q3"])
    assert soon.ok and soon.at_risk and soon.code == "reseller_ok"
    assert soon.cause == "reseller:2026-Q3"
    assert (
        reason_advice(soon.as_json())
        == "Send the quarter's revenue report and pay the revenue share."
    )
    assert reason_text(soon.as_json()) == (
        "As a reseller: the revenue report and the revenue share for 2026-Q3 fall due soon."
    )
    # The shared reason of every reseller up to date is left as it was.
    assert reseller_rule(missing_reports=[], unpaid_shares=[]) is RESELLER_OK
    assert not RESELLER_OK.at_risk and RESELLER_OK.cause == ""
    # Overdue wins: the member lapses, the quarter due soon is not worded apart.
    overdue = reseller_rule(missing_reports=["2026-Q2"], unpaid_shares=[], due_soon=["2026-Q3"])
    assert not overdue.ok and overdue.code == "reseller_overdue"


# --- a minimum with decimals is shown as it was set --------------------------------------------


def test_a_minimum_with_decimals_is_shown_with_them_and_the_share_too():
    from django.utils import translation

    minimum = Decimal("33.33")
    failing = attendance_rule(attended=33, held=100, minimum_percent=minimum, window_days=365)
    assert not failing.ok
    assert reason_text(failing.as_json()) == (
        "Attended 33 of 100 All Hands Meetings (33.00 %), 33.33 % needed."
    )
    passing = attendance_rule(attended=1, held=3, minimum_percent=minimum, window_days=365)
    assert passing.ok
    assert reason_text(passing.as_json()) == (
        "Attended 1 of 3 All Hands Meetings (33.33 %), 33.33 % needed."
    )
    with translation.override("de"):
        assert "33,33" in reason_text(passing.as_json())


def test_a_share_just_under_a_minimum_with_decimals_never_reads_as_reaching_it():
    # 1 of 3 is 33.333...: under a minimum of 33.34 it reads 33.33, not 33.34.
    reason = attendance_rule(attended=1, held=3, minimum_percent=Decimal("33.34"), window_days=365)
    assert not reason.ok
    assert reason.as_json()["params"]["percent"] == "33.33"


def test_a_whole_minimum_keeps_whole_numbers():
    reason = attendance_rule(attended=3, held=8, minimum_percent=Decimal("50.00"), window_days=365)
    assert reason.as_json()["params"]["minimum"] == "50"
    assert reason.as_json()["params"]["percent"] == "38"
