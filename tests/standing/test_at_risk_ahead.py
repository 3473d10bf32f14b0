"""Warned before a lapse known in advance (DOMAIN.md: "The member sees the same reasons on
their dashboard before they lapse"): the member's circle seats ending within 30 days, and a
reseller's quarter falling due unreported or unpaid. Through the job, its notices, and /me/."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from contributions.selectors import resellers_standing_for
from membership.models import Membership, StatusNotice
from standing.selectors import member_dashboard, status_evaluate
from standing.services import status_recompute
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    LabourEntryFactory,
    MemberContactFactory,
    OperationalMembershipFactory,
    RevenueReportFactory,
    StewardFactory,
    UserFactory,
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
    """The job of ``day``, run at 03:00 that day, with what it queues after commit."""
    with freeze_time(at(day)), _capture(execute=True):
        return status_recompute(on=day)


def operational(*, admitted_on, seat=True, seat_end=None):
    """An operational membership whose commitment is met, no meeting held."""
    with freeze_time(at(admitted_on - days(1), 12)):
        membership = OperationalMembershipFactory(admitted_on=admitted_on)
        for _ in range(2):
            LabourEntryFactory(
                member=membership.member,
                hours=Decimal("20"),
                status="approved",
                occurred_on=admitted_on,
            )
        if seat:
            CircleRoleFactory(member=membership.member, started_on=admitted_on, ended_on=seat_end)
    return membership


def status_of(membership):
    membership.refresh_from_db()
    return membership.status


def causes(membership):
    return list(
        StatusNotice.objects.filter(membership=membership, kind="at_risk")
        .order_by("pk")
        .values_list("cause", flat=True)
    )


def reason(membership, code, day):
    with freeze_time(at(day, 4)):
        (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=day)
    return next(r for r in evaluation.reasons if r.code == code)


# --- the seats ---------------------------------------------------------------------------------


def test_the_only_seat_ending_warns_from_30_days_before_then_it_lapses():
    membership = operational(admitted_on=D - days(200), seat_end=D + days(5))
    run(D - days(26))
    assert causes(membership) == []
    assert not reason(membership, "circle_member", D - days(26)).at_risk
    run(D - days(25))  # the seat's end (D+5) is 30 days ahead
    assert causes(membership) == ["circle:2026-11-29"]
    assert status_of(membership) == "active"
    notice = StatusNotice.objects.get(membership=membership)
    (warned,) = [r for r in notice.reasons if r.get("at_risk")]
    assert (warned["code"], warned["ok"]) == ("circle_member", True)
    run(D)  # warned once per cause
    assert causes(membership) == ["circle:2026-11-29"]
    run(D + days(5))
    assert status_of(membership) == "active"
    run(D + days(6))
    assert status_of(membership) == "lapsed"
    assert causes(membership) == ["circle:2026-11-29"]


def test_a_seat_starting_the_day_after_the_other_ends_is_no_risk():
    membership = operational(admitted_on=D - days(200), seat_end=D + days(5))
    with freeze_time(at(D - days(1), 12)):
        CircleRoleFactory(member=membership.member, circle=CircleFactory(), started_on=D + days(6))
    for day in (D - days(25), D, D + days(5), D + days(6), D + days(7)):
        run(day)
        assert not reason(membership, "circle_member", day).at_risk, day
    assert status_of(membership) == "active"
    assert causes(membership) == []


def test_seats_that_continue_each_other_warn_of_the_last_day():
    membership = operational(admitted_on=D - days(200), seat_end=D + days(5))
    with freeze_time(at(D - days(1), 12)):
        CircleRoleFactory(
            member=membership.member,
            circle=CircleFactory(),
            started_on=D + days(6),
            ended_on=D + days(40),
        )
        # A seat with no end in a third circle, from later on: a gap before it still lapses.
        CircleRoleFactory(member=membership.member, circle=CircleFactory(), started_on=D + days(45))
    run(D)
    assert causes(membership) == []  # seated through D+40: 40 days ahead
    run(D + days(10))
    assert causes(membership) == ["circle:2027-01-03"]
    run(D + days(41))
    assert status_of(membership) == "lapsed"
    run(D + days(45))
    assert status_of(membership) == "active"


def test_a_seat_with_no_end_next_to_one_ending_is_no_risk():
    membership = operational(admitted_on=D - days(200), seat_end=D + days(5))
    with freeze_time(at(D - days(1), 12)):
        CircleRoleFactory(
            member=membership.member, circle=CircleFactory(), started_on=D - days(100)
        )
    run(D)
    assert causes(membership) == []


def test_the_night_its_end_comes_near_is_the_membership_s_next_check():
    membership = operational(admitted_on=D - days(200), seat_end=D + days(100))
    run(D)
    membership.refresh_from_db()
    assert membership.next_check_on == D + days(70)


# --- a reseller's quarter ----------------------------------------------------------------------

Q3_DUE = datetime.date(2026, 10, 30)


def reseller_admitted_in_q3():
    membership = operational(admitted_on=datetime.date(2026, 7, 10))
    with freeze_time(at(datetime.date(2026, 7, 11), 12)):
        steward = StewardFactory(member=membership.member)
    return membership, steward


def test_a_quarter_s_report_falling_due_warns_from_the_quarter_s_end_then_it_lapses():
    membership, steward = reseller_admitted_in_q3()
    standing = resellers_standing_for([steward.pk], on=datetime.date(2026, 10, 15), soon_days=30)
    assert standing[steward.pk].due_soon_quarters == [datetime.date(2026, 7, 1)]
    assert standing[steward.pk].missing_quarters == []
    run(datetime.date(2026, 9, 30))  # the quarter has not ended: it can't be reported yet
    assert causes(membership) == []
    run(datetime.date(2026, 10, 1))
    assert causes(membership) == ["reseller:2026-Q3"]
    run(datetime.date(2026, 10, 15))
    assert causes(membership) == ["reseller:2026-Q3"]
    warned = reason(membership, "reseller_ok", datetime.date(2026, 10, 15))
    assert warned.ok and warned.at_risk
    run(Q3_DUE)
    assert status_of(membership) == "active"
    run(Q3_DUE + days(1))
    assert status_of(membership) == "lapsed"


def test_a_report_sent_with_its_share_unpaid_is_still_at_risk_until_paid():
    from contributions.models import RevenueSharePayment

    membership, steward = reseller_admitted_in_q3()
    with freeze_time(at(datetime.date(2026, 10, 5), 12)):
        report = RevenueReportFactory(
            steward=steward,
            quarter_start=datetime.date(2026, 7, 1),
            quarter_end=datetime.date(2026, 9, 30),
            due_on=Q3_DUE,
        )
    run(datetime.date(2026, 10, 6))
    assert causes(membership) == ["reseller:2026-Q3"]
    with freeze_time(at(datetime.date(2026, 10, 7), 12)):
        RevenueSharePayment.objects.create(
            report=report,
            amount_eur=report.share_eur,
            paid_on=datetime.date(2026, 10, 7),
            recorded_by=UserFactory(),
        )
    assert not reason(membership, "reseller_ok", datetime.date(2026, 10, 8)).at_risk
    run(Q3_DUE + days(1))
    assert status_of(membership) == "active"


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_at_risk_as_the_job_computes_it(client):
    day = datetime.date(2026, 10, 15)
    membership, _steward = reseller_admitted_in_q3()
    with freeze_time(at(day - days(1), 12)):
        # Its only seat (from admission, with no end) is replaced by one ending on D+10.
        membership.member.circle_roles.update(ended_on=day - days(1))
        CircleRoleFactory(
            member=membership.member,
            circle=CircleFactory(),
            started_on=day - days(1),
            ended_on=day + days(10),
        )
        user = UserFactory()
        MemberContactFactory(member=membership.member, user=user)
    now = at(day, 9)
    with freeze_time(now):
        (card,) = member_dashboard(user, on=day, now=now)["cards"]
        (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=day)
        client.force_login(user)
        page = client.get("/me/").content.decode()
    assert card["at_risk"] and card["computed"] == "active"
    shown = [(r["code"], r["ok"], r["at_risk"], r["params"]) for r in card["reasons"]]
    assert shown == [(r.code, r.ok, r.at_risk, r.params) for r in evaluation.reasons]
    risky = {r["code"]: r["advice"] for r in card["reasons"] if r["at_risk"]}
    assert risky == {
        "circle_member": "Ask a circle's coordinator to add you to the circle.",
        "reseller_ok": "Send the quarter's revenue report and pay the revenue share.",
    }
    assert "at risk" in page
    assert "Ask a circle&#x27;s coordinator to add you to the circle." in page
    assert "Send the quarter&#x27;s revenue report and pay the revenue share." in page
