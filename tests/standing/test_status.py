"""The active-status recompute end to end: each rule at its boundary through the database,
the statuses left alone, the history, idempotency, the lock, failure, and the query count."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from membership.models import Membership, StatusChange, StatusNotice, StatusRun
from membership.reasons import reason_text
from membership.services import membership_status_set
from standing.services import status_recompute
from tests.factories import (
    AttendanceFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    MeetingFactory,
    MemberContactFactory,
    MembershipFactory,
    MoneyEntryFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    RevenueReportFactory,
    StewardFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
    UserFactory,
)
from tests.standing.locking import lock_held_elsewhere

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)
NOW = "2026-11-24 03:00:00"


def days(n):
    return datetime.timedelta(days=n)


def healthy_operational(*, admitted_on=None, applied_on=None, hours="40", **kwargs):
    """An operational membership that passes every rule: commitment met, one circle, no
    meeting in the window."""
    admitted_on = admitted_on or D - days(500)
    membership = OperationalMembershipFactory(
        admitted_on=admitted_on, applied_on=applied_on or admitted_on - days(10), **kwargs
    )
    if hours:
        approved_hours(membership.member, Decimal(hours))
    CircleRoleFactory(member=membership.member, started_on=admitted_on)
    return membership


def approved_hours(member, total: Decimal):
    """Approved labour entries adding up to ``total`` (one entry holds at most a day's 24 h)."""
    day = datetime.date(2026, 1, 5)
    while total > 0:
        chunk = min(total, Decimal("20"))
        LabourEntryFactory(member=member, hours=chunk, status="approved", occurred_on=day)
        total -= chunk
        day += days(1)


@pytest.fixture(autouse=True)
def _frozen():
    """Data is made and the job runs at 03:00 on D, as the nightly job would."""
    with freeze_time(NOW):
        yield


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def run(on=D, **kwargs):
    """Run the job and what it queues after commit (the emails), as a real commit would."""
    with _capture(execute=True):
        return status_recompute(on=on, **kwargs)


def status_of(membership):
    membership.refresh_from_db()
    return membership.status


def failing_texts(membership):
    change = StatusChange.objects.filter(membership=membership).latest("changed_at")
    return [reason_text(r) for r in change.reasons if not r["ok"]]


# --- operational: commitment -------------------------------------------------------------------


def test_a_healthy_operational_member_stays_active():
    membership = healthy_operational()
    run_record, _ = run()
    assert status_of(membership) == "active"
    assert run_record.state == "finished" and run_record.unchanged == 1


def test_commitment_due_today_keeps_the_member_active():
    membership = healthy_operational(admitted_on=D - days(365), hours="30")
    run()
    assert status_of(membership) == "active"


def test_commitment_due_yesterday_lapses_the_member_with_the_numbers():
    membership = healthy_operational(admitted_on=D - days(366), hours="30")
    run()
    assert status_of(membership) == "lapsed"
    assert failing_texts(membership) == [
        "Commitment 75 % fulfilled; 100 % of €500.00 (or 40 hours) was due by Nov 23, 2026."
    ]


def test_hours_and_money_mix_to_fulfil_the_commitment():
    membership = healthy_operational(hours="30")
    MoneyEntryFactory(member=membership.member, amount=Decimal("125.00"), status="approved")
    run()
    assert status_of(membership) == "active"


def test_pending_hours_do_not_count():
    membership = healthy_operational(hours="")
    LabourEntryFactory(member=membership.member, hours=Decimal("24"), status="pending")
    run()
    assert status_of(membership) == "lapsed"


def test_the_policy_of_the_application_day_binds_the_commitment():
    PolicyFactory(effective_from=datetime.date(2026, 1, 1), commitment_money=Decimal("1000.00"))
    before = healthy_operational(applied_on=datetime.date(2025, 6, 1), hours="")
    after = healthy_operational(applied_on=datetime.date(2026, 2, 1), hours="")
    for membership in (before, after):
        MoneyEntryFactory(member=membership.member, amount=Decimal("500.00"), status="approved")
    run()
    assert status_of(before) == "active"
    assert status_of(after) == "lapsed"
    assert "50 % fulfilled; 100 % of €1,000.00" in failing_texts(after)[0]


# --- operational: circles and attendance -------------------------------------------------------


def test_no_circle_seat_on_the_day_lapses():
    membership = healthy_operational()
    seat = membership.member.circle_roles.get()
    seat.ended_on = D - days(1)
    seat.save()
    run()
    assert status_of(membership) == "lapsed"
    assert "Not a member of any circle" in failing_texts(membership)[0]


def _meetings(member, attended, missed, *, start=None):
    start = start or D - days(300)
    for i in range(attended + missed):
        meeting = MeetingFactory(held_on=start + days(20 * i))
        if i < attended:
            AttendanceFactory(meeting=meeting, member=member)


def test_exactly_half_of_the_meetings_passes():
    membership = healthy_operational()
    _meetings(membership.member, attended=4, missed=4)
    run()
    assert status_of(membership) == "active"


def test_under_half_of_the_meetings_lapses_with_the_numbers():
    membership = healthy_operational()
    _meetings(membership.member, attended=3, missed=5)
    run()
    assert status_of(membership) == "lapsed"
    assert failing_texts(membership) == ["Attended 3 of 8 All Hands Meetings (38 %), 50 % needed."]


def test_no_meeting_in_the_window_passes():
    membership = healthy_operational()
    _meetings(membership.member, attended=0, missed=3, start=D - days(500))  # all too old
    run()
    assert status_of(membership) == "active"


def test_meetings_before_admission_do_not_count():
    membership = healthy_operational(admitted_on=D - days(100), hours="40")
    _meetings(membership.member, attended=0, missed=4, start=D - days(300))  # before admission
    MeetingFactory(held_on=D - days(50))  # one after admission, missed
    AttendanceFactory(meeting=MeetingFactory(held_on=D - days(40)), member=membership.member)
    run()
    assert status_of(membership) == "active"  # 1 of 2 since admission


# --- operational: reseller ---------------------------------------------------------------------


def test_a_reseller_with_an_overdue_report_lapses():
    membership = healthy_operational(admitted_on=datetime.date(2025, 1, 10))
    StewardFactory(member=membership.member)
    run()
    assert status_of(membership) == "lapsed"
    assert failing_texts(membership)[0].startswith("As a reseller: the revenue report for")


def test_a_reseller_with_reports_and_payments_made_stays_active():
    from contributions.models import RevenueSharePayment

    membership = healthy_operational(admitted_on=datetime.date(2026, 6, 1))
    steward = StewardFactory(member=membership.member)
    for start, end in [
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    ]:
        report = RevenueReportFactory(
            steward=steward, quarter_start=start, quarter_end=end, due_on=end + days(30)
        )
        RevenueSharePayment.objects.create(
            report=report,
            amount_eur=report.share_eur,
            paid_on=end + days(10),
            recorded_by=UserFactory(),
        )
    run()
    assert status_of(membership) == "active"


# --- user members ------------------------------------------------------------------------------


def user_membership(**kwargs):
    """A user membership that accepted the Terms of Use in force (version 1.0)."""
    from membership.models import TermsVersion

    membership = MembershipFactory(**kwargs)
    current = TermsVersion.objects.filter(version="1.0").first() or TermsVersionFactory(
        version="1.0", published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    TermsAcceptanceFactory(member=membership.member, terms_version=current)
    return membership


def test_unpaid_dues_on_the_last_day_of_grace_keep_the_member_active():
    membership = user_membership()
    DuesInvoiceFactory(membership=membership, due_on=D - days(30), period_start=D - days(30))
    run()
    assert status_of(membership) == "active"


def test_unpaid_dues_one_day_after_the_grace_period_lapse():
    membership = user_membership()
    DuesInvoiceFactory(membership=membership, due_on=D - days(31), period_start=D - days(31))
    run()
    assert status_of(membership) == "lapsed"
    assert "grace period" in failing_texts(membership)[0]


def test_paid_dues_count_and_paying_reactivates():
    membership = user_membership(status="lapsed")
    invoice = DuesInvoiceFactory(
        membership=membership, due_on=D - days(60), period_start=D - days(60)
    )
    DuesPaymentFactory(invoice=invoice, paid_on=D - days(1))
    run()
    assert status_of(membership) == "active"


def test_terms_just_published_do_not_lapse_yet():
    membership = user_membership()
    TermsVersionFactory(published_at=datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC))
    run()
    assert status_of(membership) == "active"


def test_terms_unaccepted_past_the_acceptance_period_lapse():
    membership = user_membership()
    TermsVersionFactory(
        version="9.0", published_at=datetime.datetime(2026, 10, 24, tzinfo=datetime.UTC)
    )
    run()
    assert status_of(membership) == "lapsed"
    assert failing_texts(membership) == [
        "Terms of Use 9.0 is not accepted; it had to be accepted by Nov 23, 2026."
    ]


def test_accepting_a_newer_version_covers_the_older_ones():
    membership = MembershipFactory()
    TermsVersionFactory(published_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    newer = TermsVersionFactory(published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    TermsAcceptanceFactory(member=membership.member, terms_version=newer)
    run()
    assert status_of(membership) == "active"


# --- what the job leaves alone, and its history ------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "suspended", "ended"])
def test_the_job_leaves_pending_suspended_and_ended_alone(status):
    failing = OperationalMembershipFactory(status=status, admitted_on=D - days(900))
    passing = healthy_operational(status=status)
    run()
    assert status_of(failing) == status
    assert status_of(passing) == status
    assert not StatusChange.objects.exists()


def test_every_change_is_stored_with_date_source_and_reasons():
    membership = healthy_operational(hours="")
    run_record, _ = run()
    change = StatusChange.objects.get(membership=membership)
    assert (change.old_status, change.new_status) == ("active", "lapsed")
    assert change.effective_on == D
    assert change.source == "nightly" and change.run == run_record
    # A lapse keeps the rules that fail (the passing ones are on the member's page).
    assert [r["code"] for r in change.reasons] == ["commitment_overdue"]
    assert run_record.lapsed == 1 and run_record.evaluated == 1


def test_a_second_run_changes_nothing():
    lapsing = healthy_operational(hours="")
    back = user_membership(status="lapsed")
    first, _ = run()
    changes = StatusChange.objects.count()
    second, _ = run()
    assert (first.lapsed, first.became_active) == (1, 1)
    assert (second.lapsed, second.became_active, second.unchanged) == (0, 0, 2)
    assert StatusChange.objects.count() == changes
    assert status_of(lapsing) == "lapsed" and status_of(back) == "active"


def test_a_second_run_while_one_holds_the_lock_exits_at_once():
    """Another worker holds the lock (its own connection, as a concurrent run would)."""
    membership = healthy_operational(hours="")
    with lock_held_elsewhere():
        run_record, evaluations = run()
    assert run_record.state == "skipped" and evaluations == []
    assert status_of(membership) == "active"
    assert not StatusChange.objects.exists()
    after, _ = run()  # once the lock is free, the next run works
    assert after.state == "finished" and status_of(membership) == "lapsed"


def test_a_run_that_dies_halfway_leaves_nothing_and_a_rerun_finishes(monkeypatch):
    """The statuses and their history are written, then the run dies queueing the warnings."""
    from membership.services import status as services

    memberships = [healthy_operational(hours="") for _ in range(3)]
    original = services._queue_at_risk_notices

    def die(**kwargs):
        assert StatusChange.objects.count() == 3  # written, not yet committed
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_queue_at_risk_notices", die)
    with pytest.raises(RuntimeError):
        run()
    assert [status_of(m) for m in memberships] == ["active"] * 3
    assert not StatusChange.objects.exists()
    failed = StatusRun.objects.get()
    assert failed.state == "failed" and "went away" in failed.error
    monkeypatch.setattr(services, "_queue_at_risk_notices", original)
    rerun, _ = run()
    assert rerun.lapsed == 3
    assert [status_of(m) for m in memberships] == ["lapsed"] * 3
    assert StatusChange.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.member.email for m in memberships)


def test_a_status_saved_by_a_person_during_the_run_is_not_overwritten(monkeypatch):
    from standing import services as selectors

    membership = healthy_operational(hours="")
    evaluate = selectors.status_evaluate

    def renewal_during_the_run(*args, **kwargs):
        result = evaluate(*args, **kwargs)
        Membership.objects.filter(pk=membership.pk).update(
            status_changed_at=datetime.datetime(2026, 11, 24, 3, 0, 1, tzinfo=datetime.UTC)
        )
        return result

    monkeypatch.setattr(selectors, "status_evaluate", renewal_during_the_run)
    run_record, _ = run()
    assert status_of(membership) == "active"
    assert run_record.lapsed == 0


def test_a_person_suspends_with_a_reason_and_the_job_leaves_it(coop_admin):
    membership = healthy_operational()
    change = membership_status_set(
        membership=membership,
        status="suspended",
        actor=coop_admin,
        note="Fair Use breach: rooms resold to third parties.",
    )
    assert change.source == "person" and change.actor == coop_admin
    assert (
        membership_status_set(
            membership=membership, status="suspended", actor=coop_admin, note="again"
        )
        is None
    )
    run()
    assert status_of(membership) == "suspended"


def _co_op(healthy: int, lapsing: int):
    """``healthy`` operational and user memberships that stay active, and ``lapsing`` of
    each type that lapse (commitment overdue; dues unpaid past grace)."""
    from governance.models import Meeting

    attended, _missed = Meeting.objects.filter(title__in=["AHM 1", "AHM 2"]).order_by("title") or [
        MeetingFactory(title=t, held_on=D - days(60 * i)) for i, t in ((1, "AHM 1"), (2, "AHM 2"))
    ]
    for _ in range(healthy):
        m = healthy_operational(hours="40")
        AttendanceFactory(meeting=attended, member=m.member)  # 1 of 2: exactly half
        user_membership()
    for _ in range(lapsing):
        healthy_operational(hours="10")
        u = user_membership()
        DuesInvoiceFactory(membership=u, due_on=D - days(40), period_start=D - days(40))


def _queries_of_a_run():
    """The job's own queries (the emails it queues are sent by a task afterwards), with the
    second evaluation under lock that follows a commit by anyone during the run (always
    taken here: on a shared PostgreSQL server another database may or may not commit)."""
    from unittest import mock

    with (
        mock.patch("standing.services.committed_since", return_value=True),
        CaptureQueriesContext(connection) as ctx,
    ):
        status_recompute(on=D)
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_co_op():
    _co_op(healthy=5, lapsing=5)
    small = _queries_of_a_run()
    Membership.objects.update(status="active")
    _co_op(healthy=190, lapsing=0)
    assert Membership.objects.count() == 400
    large = _queries_of_a_run()
    assert large == small


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite splits a bulk insert every 999 parameters; PostgreSQL does not",
)
def test_on_postgresql_the_writes_do_not_grow_with_the_changes_either():
    _co_op(healthy=0, lapsing=5)
    few = _queries_of_a_run()
    Membership.objects.update(status="active")
    _co_op(healthy=0, lapsing=195)
    many = _queries_of_a_run()
    assert many == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes and storage")
def test_on_postgresql_no_index_mentions_the_status_so_the_job_updates_in_place():
    """A status change from the job must be a HOT update: no index of the membership table
    may mention ``status`` (in its columns, expression or condition), and its pages keep room
    for the new row versions."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'membership_membership'")
        definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'membership_membership'")
        (options,) = cursor.fetchone()
    assert len(definitions) >= 4
    assert not [d for d in definitions if "status" in d]
    assert "fillfactor=70" in options


def test_ending_a_membership_dates_it_and_frees_the_type_for_a_new_one(coop_admin):
    from django.db import IntegrityError, transaction

    membership = MembershipFactory()
    with transaction.atomic(), pytest.raises(IntegrityError):
        MembershipFactory(member=membership.member, type=membership.type)  # one open per type
    membership_status_set(
        membership=membership, status="ended", actor=coop_admin, note="Resigned.", on=D
    )
    membership.refresh_from_db()
    assert (membership.status, membership.ended_on) == ("ended", D)
    again = MembershipFactory(member=membership.member, type=membership.type)  # allowed now
    assert again.ended_on is None
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.filter(pk=again.pk).update(status="ended")  # ended needs its day
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.filter(pk=again.pk).update(ended_on=D)  # and only an ended one


# --- emails -----------------------------------------------------------------------------------


def test_a_member_whose_status_changed_gets_an_email_with_the_reasons():
    membership = healthy_operational(hours="30", admitted_on=D - days(400))
    run()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [membership.member.email]
    assert "lapsed" in message.subject
    assert "Commitment 75 % fulfilled" in message.body
    run()
    assert len(mail.outbox) == 1  # the second run sends nothing


def test_at_risk_notices_are_sent_once_per_cause():
    membership = healthy_operational(hours="10", admitted_on=D - days(350))  # due in 15 days
    run()
    assert [m.to for m in mail.outbox] == [[membership.member.email]]
    assert "needs attention" in mail.outbox[0].subject
    assert "is due by Dec 9, 2026" in mail.outbox[0].body
    run()
    run(on=D + days(1))
    assert len(mail.outbox) == 1
    assert StatusNotice.objects.filter(kind="at_risk").count() == 1


def test_at_risk_for_dues_inside_the_grace_period():
    membership = user_membership()
    DuesInvoiceFactory(membership=membership, due_on=D - days(5), period_start=D - days(5))
    run()
    notice = StatusNotice.objects.get(membership=membership)
    assert notice.kind == "at_risk" and notice.cause == f"dues:{D - days(5)}"


def test_emails_are_written_in_the_members_language(monkeypatch):
    """The email is rendered with the member's language active (the words come from the
    translation catalogue of that language once it exists)."""
    from django.utils import translation

    from meetcoop.core import mail as loader  # where every email is rendered

    rendered_in = []
    render = loader.render_to_string

    def spy(*args, **kwargs):
        rendered_in.append(translation.get_language())
        return render(*args, **kwargs)

    monkeypatch.setattr(loader, "render_to_string", spy)
    membership = healthy_operational(hours="", member__language="es")
    MemberContactFactory(member=membership.member)
    run()
    assert len(mail.outbox) == 1
    assert rendered_in and set(rendered_in) == {"es"}
    assert translation.get_language() != "es"  # and switched back afterwards


def test_a_suspension_by_a_person_is_emailed_with_its_reason(coop_admin):
    membership = healthy_operational()
    with _capture(execute=True):
        membership_status_set(
            membership=membership,
            status="suspended",
            actor=coop_admin,
            note="Fair Use breach: the rooms were resold.",
        )
    assert len(mail.outbox) == 1
    assert "now suspended" in mail.outbox[0].subject
    assert "Fair Use breach: the rooms were resold." in mail.outbox[0].body


def test_emails_are_sent_once_even_when_the_sender_runs_twice():
    from membership.services import status_notices_send

    lapsing = [healthy_operational(hours="") for _ in range(3)]
    status_recompute(on=D)  # without running what it queues
    assert status_notices_send() == 3
    assert status_notices_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.member.email for m in lapsing)
    assert "/me/" in mail.outbox[0].body


@freeze_time("2026-11-24 03:00:00")
def test_a_member_with_no_meeting_held_yet_is_warned_before_missing_the_first(
    django_capture_on_commit_callbacks,
):
    """Admitted 60 days ago, nothing held since, an All Hands Meeting in 10 days: the run
    warns (missing it makes 0 of 1), and the member who then misses it lapses warned."""
    membership = OperationalMembershipFactory(
        admitted_on=D - datetime.timedelta(days=60), applied_on=D - datetime.timedelta(days=70)
    )
    for day in (1, 2):
        LabourEntryFactory(
            member=membership.member,
            hours=Decimal("20"),
            status="approved",
            occurred_on=datetime.date(2026, 10, day),
        )
    CircleRoleFactory(member=membership.member, started_on=membership.admitted_on)
    meeting = MeetingFactory(held_on=D + datetime.timedelta(days=10), attendance_recorded_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        status_recompute(on=D)
    notice = StatusNotice.objects.get(membership=membership, kind=StatusNotice.Kind.AT_RISK)
    # The cause names the meeting: the same numbers for another meeting warn again.
    assert notice.cause == f"attendance:0/1:{meeting.held_on.isoformat()}"
    assert any("Come to the next All Hands Meeting." in m.body for m in mail.outbox)

    meeting.attendance_recorded_at = datetime.datetime(2026, 12, 4, 18, tzinfo=datetime.UTC)
    meeting.save()
    with django_capture_on_commit_callbacks(execute=True):
        status_recompute(on=D + datetime.timedelta(days=11))
    membership.refresh_from_db()
    assert membership.status == "lapsed"


# --- the words of "no meeting held" ------------------------------------------------------------


def _attendance_text(membership, on=D):
    from standing.selectors import status_evaluate

    (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    (reason,) = [r for r in evaluation.reasons if r.code.startswith("attendance")]
    return reason.code, reason_text(reason.as_json())


def test_no_meeting_since_an_admission_inside_the_window_says_since_the_admission():
    """Admitted 100 days ago, the window starts there for it: "in the last 365 days" would
    be untrue when meetings were held before its admission."""
    membership = healthy_operational(admitted_on=D - days(100))
    _meetings(membership.member, attended=0, missed=3, start=D - days(300))  # before admission
    code, text = _attendance_text(membership)
    assert code == "attendance_none_held"
    assert text == "No All Hands Meeting was held since you were admitted on Aug 16, 2026."


def test_no_meeting_in_the_whole_window_names_the_window():
    membership = healthy_operational(admitted_on=D - days(500))
    code, text = _attendance_text(membership)
    assert code == "attendance_none_held"
    assert text == "No All Hands Meeting was held in the last 365 days."
