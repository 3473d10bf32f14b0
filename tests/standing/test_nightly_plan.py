"""A usual night costs what changed (issue 18): the marks the services leave, the plan of a
nightly run, each membership's next check, the weekly full run, and a simulated year where
time alone flips statuses and the nightly runs, reading only what may have changed, miss
nothing a full run would find."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from contributions.services import dues_invoices_issue_next
from membership.models import Membership, StatusChange, StatusNotice, StatusRecheck, StatusRun
from membership.rules import NEVER
from standing.selectors.plan import MOVABLE, nightly_plan
from standing.selectors.status import status_evaluate
from standing.services import status_recompute
from standing.tasks import recompute_status_nightly, recompute_status_weekly
from tests.factories import (
    AttendanceFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    MeetingFactory,
    MembershipFactory,
    MoneyEntryFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)


def days(n):
    return datetime.timedelta(days=n)


def at(day, hour=3):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture(autouse=True)
def _frozen():
    """Data is made the day before D, at noon; each night runs at 03:00 (``night``)."""
    with freeze_time(at(D - days(1), 12)):
        yield


@pytest.fixture
def policy(_frozen):
    """The co-op's policy, written before the first night (its recheck is then behind)."""
    return PolicyFactory()


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def night(day, *, full=False):
    """The nightly task at 03:00 on ``day``, with what it queues after commit."""
    with freeze_time(at(day)), _capture(execute=True):
        result = (recompute_status_weekly if full else recompute_status_nightly)()
    return StatusRun.objects.get(pk=result["run"])


def healthy_user(**kwargs):
    return MembershipFactory(admitted_on=D - days(400), **kwargs)


def healthy_operational(*, admitted_on=None):
    admitted_on = admitted_on or D - days(500)
    membership = OperationalMembershipFactory(admitted_on=admitted_on)
    LabourEntryFactory(
        member=membership.member, hours=Decimal("20"), status="approved", occurred_on=admitted_on
    )
    LabourEntryFactory(
        member=membership.member, hours=Decimal("20"), status="approved", occurred_on=admitted_on
    )
    CircleRoleFactory(member=membership.member, started_on=admitted_on)
    return membership


# --- the marks ---------------------------------------------------------------------------------


def marked(membership):
    membership.refresh_from_db()
    return membership.facts_changed_at


def test_a_fact_saved_or_deleted_marks_the_memberships_it_belongs_to():
    user = healthy_user()
    operational = healthy_operational()
    Membership.objects.update(facts_changed_at=None)

    MoneyEntryFactory(member=operational.member, status="approved")
    assert marked(operational) is not None and marked(user) is None
    entry = MoneyEntryFactory(member=operational.member)

    Membership.objects.update(facts_changed_at=None)
    invoice = DuesInvoiceFactory(membership=user)
    assert marked(user) is not None and marked(operational) is None

    Membership.objects.update(facts_changed_at=None)
    DuesPaymentFactory(invoice=invoice)
    assert marked(user) is not None

    Membership.objects.update(facts_changed_at=None)
    seat = CircleRoleFactory(member=operational.member)
    assert marked(operational) is not None
    Membership.objects.update(facts_changed_at=None)
    seat.delete()
    assert marked(operational) is not None

    Membership.objects.update(facts_changed_at=None)
    TermsAcceptanceFactory(member=user.member)
    assert marked(user) is not None

    Membership.objects.update(facts_changed_at=None)
    entry.status, entry.decided_at = "approved", timezone.now()
    entry.save()  # approved
    assert marked(operational) is not None and marked(user) is None


def test_what_every_membership_of_a_type_reads_asks_for_a_recheck_of_that_type():
    before = StatusRecheck.objects.count()  # the policy of the fixture
    meeting = MeetingFactory()
    assert StatusRecheck.objects.latest("pk").type == Membership.Type.OPERATIONAL
    AttendanceFactory(meeting=meeting)  # the member is marked; the meeting's save rechecks
    TermsVersionFactory()
    PolicyFactory(effective_from=D + days(10))
    assert sorted(StatusRecheck.objects.values_list("type", flat=True)[before:]) == [
        "",
        Membership.Type.OPERATIONAL,
        Membership.Type.USER,
    ]


def test_a_save_of_fields_the_rules_do_not_read_asks_for_no_recheck():
    from resellers.availability import CLOSED_BY_HAND
    from resellers.services import steward_availability_notify

    steward = StewardFactory()
    before = StatusRecheck.objects.count()
    # The nightly notice to a steward's admins saves only what it told them.
    steward_availability_notify(steward_id=steward.pk, taking=False, reason=CLOSED_BY_HAND)
    steward.refresh_from_db()
    assert steward.availability_notified is False
    assert StatusRecheck.objects.count() == before
    meeting = MeetingFactory()
    meeting.minutes_url = "https://example.org/minutes"
    meeting.save(update_fields=["minutes_url"])
    assert StatusRecheck.objects.count() == before + 1  # the meeting's creation only
    meeting.held_on -= days(1)
    meeting.save(update_fields=["held_on"])
    assert StatusRecheck.objects.count() == before + 2


def test_dues_issued_in_bulk_mark_their_memberships():
    user = healthy_user()
    DuesInvoiceFactory(
        membership=user, period_start=D - days(31), period_end=D - days(1), due_on=D - days(31)
    )
    Membership.objects.update(facts_changed_at=None)
    assert dues_invoices_issue_next(on=D) == 1
    assert marked(user) is not None


# --- the plan ----------------------------------------------------------------------------------


def test_the_first_night_evaluates_everyone_and_a_quiet_second_night_nobody():
    healthy_user()
    healthy_operational()
    first = night(D)
    assert (first.scope, first.evaluated) == ("full", 2)
    assert first.plan == "No nightly run finished before."
    second = night(D + days(1))
    assert (second.scope, second.evaluated) == ("changed", 0)
    assert "may have changed since the nightly run for 2026-11-24" in second.plan


def test_a_new_fact_brings_its_membership_into_the_next_night():
    user = healthy_user()
    healthy_user()
    night(D)
    with freeze_time(at(D, 12)):
        DuesInvoiceFactory(membership=user, due_on=D - days(40), period_start=D - days(40))
    second = night(D + days(1))
    assert (second.scope, second.evaluated, second.lapsed) == ("changed", 1, 1)
    assert Membership.objects.get(pk=user.pk).status == "lapsed"


def test_a_fact_written_while_the_last_run_worked_is_read_again():
    """A mark stamped a little before the last run began (a transaction it could not see yet)
    still counts on the next night."""
    user = healthy_user()
    night(D)
    last = StatusRun.objects.get()
    Membership.objects.filter(pk=user.pk).update(
        facts_changed_at=last.started_at - datetime.timedelta(minutes=5)
    )
    assert nightly_plan(on=D + days(1)).memberships.get() == user


def test_after_a_failed_night_or_a_policy_change_everyone_is_evaluated():
    healthy_user()
    healthy_operational()
    night(D)
    with freeze_time(at(D + days(1))):  # a night whose process died
        StatusRun.objects.create(on=D + days(1), source="nightly", state="failed")
    failed = night(D + days(2))
    assert (failed.scope, failed.evaluated) == ("full", 2)
    assert failed.plan == "The last nightly run did not finish."
    with freeze_time(at(D + days(2), 12)):
        PolicyFactory(effective_from=D + days(100))
    changed = night(D + days(3))
    assert (changed.scope, changed.evaluated) == ("full", 2)
    assert "policy" in changed.plan


def test_a_recheck_of_one_type_evaluates_every_membership_of_that_type_only():
    healthy_user()
    healthy_user()
    healthy_operational()
    night(D)
    with freeze_time(at(D, 12)):
        MeetingFactory(held_on=D - days(100))
    second = night(D + days(1))
    assert (second.scope, second.evaluated) == ("changed", 1)
    assert "Every operational membership" in second.plan


def test_the_weekly_run_is_full_and_is_scheduled_in_the_database():
    from django_celery_beat.models import PeriodicTask

    healthy_user()
    night(D)
    weekly = night(D + days(1), full=True)
    assert (weekly.scope, weekly.evaluated, weekly.plan) == ("full", 1, "The weekly full run.")
    # The schedule is a data migration's row; a flushed test database (PostgreSQL's
    # transactional tests) writes it again the way the migration does.
    from importlib import import_module

    from django.apps import apps

    migration = import_module("standing.migrations.0007_weekly_full_recompute").Migration
    migration.operations[0].code(apps, None)
    task = PeriodicTask.objects.get(task="standing.tasks.recompute_status_weekly")
    assert task.enabled and task.crontab.day_of_week == "0"


def test_a_dry_run_leaves_the_next_checks_alone():
    user = healthy_user()
    status_recompute(on=D, dry_run=True)
    user.refresh_from_db()
    assert user.next_check_on is None


# --- the next check ----------------------------------------------------------------------------


def next_check(membership):
    membership.refresh_from_db()
    return membership.next_check_on


def test_the_next_check_is_the_first_day_time_alone_changes_the_evaluation():
    # A commitment unmet: warned from 30 days before the deadline, lapsed the day after it.
    late = OperationalMembershipFactory(admitted_on=D - days(300))
    CircleRoleFactory(member=late.member, started_on=D - days(300))
    warned = OperationalMembershipFactory(admitted_on=D - days(350))
    CircleRoleFactory(member=warned.member, started_on=D - days(350))
    # A seat ending: the day after its last day.
    seated = healthy_operational()
    CircleRoleFactory(member=seated.member, started_on=D + days(5))
    # An invoice ahead, an invoice in its grace period, nothing at all.
    ahead, grace, quiet = healthy_user(), healthy_user(), healthy_user()
    DuesInvoiceFactory(membership=ahead, due_on=D + days(12), period_start=D + days(12))
    DuesInvoiceFactory(membership=grace, due_on=D - days(10), period_start=D - days(10))
    status_recompute(on=D)
    assert next_check(late) == D + days(35)  # deadline D+65, warned from D+35
    assert next_check(warned) == D + days(16)  # deadline D+15, in the warning; lapses D+16
    assert next_check(seated) == D + days(5)
    assert next_check(ahead) == D + days(12)
    assert next_check(grace) == D + days(21)  # due D-10, 30 days of grace, lapsed D+21
    assert next_check(quiet) == NEVER


def test_a_membership_the_run_moves_is_checked_again_the_next_day():
    user = healthy_user()
    DuesInvoiceFactory(membership=user, due_on=D - days(40), period_start=D - days(40))
    status_recompute(on=D)
    assert Membership.objects.get(pk=user.pk).status == "lapsed"
    assert next_check(user) == D + days(1)


# --- a simulated year --------------------------------------------------------------------------

S = D + days(7)  # after the fixtures, written the day before D


def test_a_year_of_nightly_runs_misses_nothing_a_full_run_would_find():
    """Every night of a year the nightly run reads only what may have changed; after each, a
    full evaluation finds no status to change and no warning not given, and the weekly full
    run at the end changes nothing. Time alone moves most of the statuses here: deadlines,
    grace periods, seats ending and starting, meetings coming and leaving the window, terms
    falling due, a policy taking effect; and the warnings of what is known ahead: a seating
    ending (warned 30 days before its last day, not when another seat continues it)."""
    events: dict[datetime.date, list] = {}
    with freeze_time(at(S - days(1), 12)):
        PolicyFactory(effective_from=S + days(181), dues_grace_days=14, attendance_window_days=180)
        v1 = TermsVersionFactory(published_at=at(S - days(400)))
        v2 = TermsVersionFactory(published_at=at(S + days(100)))
        members = {}

        def user(name, **kwargs):
            membership = MembershipFactory(admitted_on=S - days(400), **kwargs)
            TermsAcceptanceFactory(member=membership.member, terms_version=v1)
            members[name] = membership
            return membership

        def operational(name, *, admitted, hours="40", seat=True, seat_end=None):
            membership = OperationalMembershipFactory(admitted_on=admitted)
            if Decimal(hours):
                LabourEntryFactory(
                    member=membership.member,
                    hours=Decimal(hours) / 2,
                    status="approved",
                    occurred_on=admitted,
                )
                LabourEntryFactory(
                    member=membership.member,
                    hours=Decimal(hours) / 2,
                    status="approved",
                    occurred_on=admitted,
                )
            if seat:
                CircleRoleFactory(member=membership.member, started_on=admitted, ended_on=seat_end)
            members[name] = membership
            return membership

        operational("deadline", admitted=S - days(300), hours="0")  # lapses S+66
        operational("seat ends", admitted=S - days(100), seat_end=S + days(120))
        # Another seat starts the day after its first one ends: never a day without a seat.
        continued = operational("seat continues", admitted=S - days(100), seat_end=S + days(90))
        CircleRoleFactory(member=continued.member, started_on=S + days(91))
        # Seats that continue each other, then a day without one: warned of the last.
        gap = operational("seats then a gap", admitted=S - days(100), seat_end=S + days(150))
        CircleRoleFactory(member=gap.member, started_on=S + days(151), ended_on=S + days(170))
        CircleRoleFactory(member=gap.member, started_on=S + days(172))
        late_seat = operational("seat starts", admitted=S - days(10), seat=False)
        CircleRoleFactory(member=late_seat.member, started_on=S + days(50))
        absent = operational("absent", admitted=S - days(200))
        operational("present", admitted=S - days(200))
        fickle = operational("fickle", admitted=S - days(200))
        rescued = operational("rescued", admitted=S - days(350), hours="0")  # deadline S+15

        operationals = [m for m in members.values() if m.type == "operational"]
        meetings = [
            MeetingFactory(held_on=S + days(n), attendance_recorded_at=None)
            for n in (20, 80, 140, 200, 260, 320)
        ]

        in_grace = user("in grace")
        DuesInvoiceFactory(membership=in_grace, due_on=S + days(10), period_start=S + days(10))
        later = user("later")
        DuesInvoiceFactory(membership=later, due_on=S + days(200), period_start=S + days(200))
        TermsAcceptanceFactory(member=later.member, terms_version=v2)  # accepted early
        paid = user("paid")
        paid_invoice = DuesInvoiceFactory(
            membership=paid, due_on=S + days(30), period_start=S + days(30)
        )
        ahead = user("paid ahead")
        ahead_invoice = DuesInvoiceFactory(
            membership=ahead, due_on=S + days(60), period_start=S + days(60)
        )
        DuesPaymentFactory(invoice=ahead_invoice, paid_on=S + days(70))
        accepts = user("accepts")
        returns = user("returns")
        user("quiet")

    def record(meeting, attended):
        def event():
            for membership in attended:
                AttendanceFactory(meeting=meeting, member=membership.member)
            meeting.attendance_recorded_at = timezone.now()
            meeting.save()

        return event

    for index, meeting in enumerate(meetings):
        attended = [m for m in operationals if m not in (absent, fickle)]
        attended += [fickle] if index < 2 else []
        events.setdefault(meeting.held_on + days(1), []).append(record(meeting, attended))
    events.setdefault(S + days(10), []).append(
        lambda: MoneyEntryFactory(
            member=rescued.member,
            amount=Decimal("500"),
            eur_value=Decimal("500"),
            status="approved",
        )
    )
    events.setdefault(S + days(10), []).append(
        lambda: CircleRoleFactory(member=rescued.member, started_on=S - days(350))
    )
    events.setdefault(S + days(35), []).append(
        lambda: DuesPaymentFactory(invoice=paid_invoice, paid_on=S + days(35))
    )
    events.setdefault(S + days(120), []).append(
        lambda: TermsAcceptanceFactory(member=accepts.member, terms_version=v2)
    )
    events.setdefault(S + days(200), []).append(
        lambda: TermsAcceptanceFactory(member=returns.member, terms_version=v2)
    )
    events.setdefault(S + days(150), []).append(
        lambda: members.setdefault("new", MembershipFactory(admitted_on=S + days(150)))
    )

    full_evaluations = changed_evaluations = changed_nights = 0
    for offset in range(366):
        day = S + days(offset)
        with freeze_time(at(day, 1)):
            for event in events.get(day, []):
                event()
        run = night(day)
        assert run.state == "finished", run.error
        if run.scope == "changed":
            changed_nights += 1
            changed_evaluations += run.evaluated
        with freeze_time(at(day, 4)):
            movable = Membership.objects.filter(status__in=MOVABLE)
            full_evaluations += movable.count()
            for evaluation in status_evaluate(movable, on=day):
                assert not evaluation.changes, (day, evaluation.membership_id, evaluation.reasons)
                if evaluation.new_status != "active":
                    continue
                made_active_today = StatusChange.objects.filter(
                    membership_id=evaluation.membership_id, effective_on=day, new_status="active"
                ).exists()
                for reason in evaluation.at_risk:
                    assert (
                        made_active_today
                        or StatusNotice.objects.filter(
                            membership_id=evaluation.membership_id,
                            kind="at_risk",
                            cause=reason.cause,
                        ).exists()
                    ), (day, evaluation.membership_id, reason.cause)

    # Time alone moved them, on nights nothing was written about them.
    def moved_on(name):
        return set(
            StatusChange.objects.filter(membership=members[name], source="nightly").values_list(
                "effective_on", "new_status"
            )
        )

    assert (S + days(66), "lapsed") in moved_on("deadline")
    assert (S + days(21), "lapsed") in moved_on("absent")  # the first meeting recorded
    assert moved_on("present") == set()
    assert (S + days(121), "lapsed") in moved_on("seat ends")
    assert moved_on("seat continues") == set()
    assert moved_on("seats then a gap") == {(S + days(171), "lapsed"), (S + days(172), "active")}

    # Warned of a seating's end by a usual night, the day its last day came within 30 days.
    def warned(name):
        return [
            (notice.cause, timezone.localdate(notice.created_at))
            for notice in StatusNotice.objects.filter(
                membership=members[name], cause__startswith="circle:"
            ).order_by("pk")
        ]

    assert warned("seat ends") == [(f"circle:{S + days(120)}", S + days(90))]
    assert warned("seats then a gap") == [(f"circle:{S + days(170)}", S + days(140))]
    assert warned("seat continues") == []
    assert StatusRun.objects.get(on=S + days(90), source="nightly").scope == "changed"
    assert StatusRun.objects.get(on=S + days(140), source="nightly").scope == "changed"
    assert (S + days(50), "active") in moved_on("seat starts")
    assert (S + days(41), "lapsed") in moved_on("in grace")
    assert (S + days(131), "lapsed") in moved_on("quiet")  # the new terms, not accepted
    assert (S + days(215), "lapsed") in moved_on("later")  # 14 days of grace from S+181
    assert moved_on("rescued") == set()
    assert moved_on("accepts") == set()
    assert (S + days(200), "active") in moved_on("returns")  # accepted that morning
    # Most nights read only what may have changed, and far fewer memberships than a full run.
    assert changed_nights > 300
    assert changed_evaluations < full_evaluations / 3

    notices = StatusNotice.objects.count()
    weekly = night(S + days(366), full=True)
    assert (weekly.scope, weekly.lapsed, weekly.became_active) == ("full", 0, 0)
    assert StatusNotice.objects.count() == notices


def test_marks_gathered_together_are_written_once_at_the_end():
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from membership.services import facts_changed_together

    users = [healthy_user() for _ in range(3)]
    Membership.objects.update(facts_changed_at=None)
    with (
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        facts_changed_together(),
    ):
        for user in users:
            DuesInvoiceFactory(membership=user)
        assert all(marked(user) is None for user in users)  # not yet
    assert all(marked(user) is not None for user in users)
    marks = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "facts_changed_at" in q["sql"]
    ]
    assert len(marks) == 1
    # An exception inside writes none: the transaction takes the rows back too.
    Membership.objects.update(facts_changed_at=None)
    with pytest.raises(RuntimeError), transaction.atomic(), facts_changed_together():
        DuesInvoiceFactory(membership=users[0], period_start=D, due_on=D)
        raise RuntimeError
    assert marked(users[0]) is None


def test_a_recheck_says_why_in_the_coops_language_whoever_saved():
    from django.utils import translation

    with translation.override("fr"):
        meeting = MeetingFactory()
    assert StatusRecheck.objects.latest("pk").reason == (
        f"meeting {meeting.pk} or its attendance was saved or deleted"
    )


def test_the_runs_list_shows_and_filters_by_scope(client):
    from tests.factories import UserFactory

    healthy_user()
    night(D)
    night(D + days(1))
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/membership/statusrun/?scope__exact=changed")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert "what may have changed" in page.content.decode()
