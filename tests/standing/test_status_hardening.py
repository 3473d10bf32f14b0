"""The status job hardened: it never acts on facts gone stale during the run, never warns a
member it has just made active, fails the runs a dead process left "running" (and takes the
lock a killed run left behind), and records who started each run."""

import datetime
import os
import subprocess
import sys
import textwrap
import threading
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from freezegun import freeze_time

from meetcoop.core.locks import holder_label, process_is_gone, try_lock
from meetcoop.core.models import AuditEntry
from membership.models import Membership, StatusChange, StatusNotice, StatusRun
from membership.services import STATUS_LOCK, membership_status_set
from standing.services import status_recompute
from standing.tasks import recompute_status_nightly
from tests.factories import (
    DuesInvoiceFactory,
    DuesPaymentFactory,
    MembershipFactory,
    UserFactory,
)
from tests.standing.locking import lock_held_elsewhere
from tests.standing.test_status import healthy_operational, user_membership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)
DEAD_RUN = "The process stopped before it finished; nothing of it was written."
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: its advisory lock outlives a killed client while its backend is "
    "busy; SQLite's file lock is released by the operating system when the process dies",
)


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-11-24 03:00:00"):
        yield


def run(capture, on=D, **kwargs):
    """The job, and what it queues after its commit (the emails)."""
    with capture(execute=True):
        return status_recompute(on=on, **kwargs)


def status_of(membership):
    membership.refresh_from_db()
    return membership.status


def unpaid_past_grace(membership):
    """An invoice one day past its grace period: the membership lapses unless it is paid."""
    return DuesInvoiceFactory(membership=membership, due_on=D - days(31), period_start=D - days(31))


def on_another_connection(work):
    """Run ``work`` in a transaction of its own on another connection, and commit it."""
    errors = []

    def target():
        try:
            with transaction.atomic():
                work()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and not errors, errors


# --- 1. the job never acts on stale facts ------------------------------------------------------


@pytest.fixture
def commits_meanwhile(monkeypatch):
    """As if another connection had committed during the run: the writes made here, on the
    test's own connection inside its transaction, are not another's commit."""
    from standing import services

    monkeypatch.setattr(services, "committed_since", lambda mark: True)


@pytest.mark.django_db(transaction=True)
def test_a_payment_committed_between_the_evaluation_and_the_write_keeps_the_member_active(
    monkeypatch,
):
    """The dues are paid, on another connection, just after the evaluation saw them unpaid:
    the member stays active and gets no lapse email."""
    from standing import services

    membership = user_membership()
    invoice = unpaid_past_grace(membership)
    other = user_membership()
    unpaid_past_grace(other)  # not paid: still lapses
    evaluate = services.status_evaluate
    seen = []

    def evaluate_then_pay(memberships, **kwargs):
        evaluations = evaluate(memberships, **kwargs)
        if not seen:  # the first evaluation, before the write
            seen.extend((e.membership_id, e.new_status) for e in evaluations)
            on_another_connection(lambda: DuesPaymentFactory(invoice=invoice, paid_on=D))
        return evaluations

    monkeypatch.setattr(services, "status_evaluate", evaluate_then_pay)
    mail.outbox.clear()
    run_record, evaluations = status_recompute(on=D)
    assert sorted(seen) == [(membership.pk, "lapsed"), (other.pk, "lapsed")]  # it was stale
    assert status_of(membership) == "active"
    assert status_of(other) == "lapsed"
    assert (run_record.lapsed, run_record.became_active, run_record.unchanged) == (1, 0, 1)
    assert list(StatusChange.objects.values_list("membership_id", flat=True)) == [other.pk]
    assert {e.membership_id: e.new_status for e in evaluations} == {
        membership.pk: "active",
        other.pk: "lapsed",
    }
    assert [m.to for m in mail.outbox] == [[other.member.email]]


def test_a_payment_made_before_the_write_is_read_under_lock_on_the_same_connection(
    monkeypatch, django_capture_on_commit_callbacks, commits_meanwhile
):
    """The same inside one transaction (SQLite, and PostgreSQL without committing): the
    payment made after the evaluation is read when the run writes."""
    from standing import services

    membership = user_membership()
    invoice = unpaid_past_grace(membership)
    evaluate = services.status_evaluate
    calls = []

    def evaluate_then_pay(memberships, **kwargs):
        evaluations = evaluate(memberships, **kwargs)
        calls.append([e.new_status for e in evaluations])
        if len(calls) == 1:
            DuesPaymentFactory(invoice=invoice, paid_on=D)
        return evaluations

    monkeypatch.setattr(services, "status_evaluate", evaluate_then_pay)
    run_record, _ = run(django_capture_on_commit_callbacks)
    assert calls == [["lapsed"], ["active"]]  # evaluated again, the payment seen
    assert status_of(membership) == "active" and run_record.lapsed == 0
    assert not StatusChange.objects.exists()
    assert mail.outbox == []


def test_only_the_memberships_about_to_move_or_be_warned_are_evaluated_again(
    monkeypatch, django_capture_on_commit_callbacks, commits_meanwhile
):
    from standing import services

    lapsing = healthy_operational(hours="")
    warned = user_membership()
    DuesInvoiceFactory(membership=warned, due_on=D - days(5), period_start=D - days(5))
    for _ in range(3):
        healthy_operational()  # fine: neither moved nor warned
    evaluate = services.status_evaluate
    sizes = []

    def counting(memberships, **kwargs):
        evaluations = evaluate(memberships, **kwargs)
        sizes.append(sorted(e.membership_id for e in evaluations))
        return evaluations

    monkeypatch.setattr(services, "status_evaluate", counting)
    run(django_capture_on_commit_callbacks)
    assert len(sizes[0]) == 5
    assert sizes[1] == sorted([lapsing.pk, warned.pk])


def test_under_lock_only_those_whose_facts_changed_during_the_run_are_evaluated_again(
    monkeypatch, django_capture_on_commit_callbacks, commits_meanwhile
):
    """Something was committed while the run evaluated: of the memberships about to move,
    only the one whose facts were written meanwhile (its dues paid) is evaluated again; what
    the run decided for the other, untouched since long before, stands."""
    from standing import services

    paid = user_membership()
    invoice = unpaid_past_grace(paid)
    lapsing = user_membership()
    unpaid_past_grace(lapsing)
    evaluate = services.status_evaluate
    seen = []

    def evaluate_then_pay(memberships, **kwargs):
        evaluations = evaluate(memberships, **kwargs)
        seen.append(sorted(e.membership_id for e in evaluations))
        if len(seen) == 1:
            DuesPaymentFactory(invoice=invoice, paid_on=D)  # marks ``paid``
        return evaluations

    monkeypatch.setattr(services, "status_evaluate", evaluate_then_pay)
    # The run starts two hours after the data (and the policy) were written: further back
    # than the margin kept for transactions still open when it began.
    with freeze_time("2026-11-24 05:00:00"):
        run_record, _ = run(django_capture_on_commit_callbacks)
    assert seen == [sorted([paid.pk, lapsing.pk]), [paid.pk]]
    assert status_of(paid) == "active"
    assert status_of(lapsing) == "lapsed"
    assert run_record.lapsed == 1


def test_under_lock_a_type_rechecked_during_the_run_is_evaluated_again(
    monkeypatch, django_capture_on_commit_callbacks, commits_meanwhile
):
    """A new terms version is published while the run evaluates: every user membership
    about to move is evaluated again, though none of their own facts changed; the
    operational one is not."""
    from standing import services
    from tests.factories import TermsVersionFactory

    lapsing = user_membership()
    unpaid_past_grace(lapsing)
    idle = healthy_operational(hours="")  # about to lapse too
    evaluate = services.status_evaluate
    seen = []

    def evaluate_then_publish(memberships, **kwargs):
        evaluations = evaluate(memberships, **kwargs)
        seen.append(sorted(e.membership_id for e in evaluations))
        if len(seen) == 1:
            TermsVersionFactory()
        return evaluations

    monkeypatch.setattr(services, "status_evaluate", evaluate_then_publish)
    with freeze_time("2026-11-24 05:00:00"):
        run(django_capture_on_commit_callbacks)
    assert seen == [sorted([lapsing.pk, idle.pk]), [lapsing.pk]]
    assert status_of(lapsing) == "lapsed" and status_of(idle) == "lapsed"


def test_a_run_writes_only_the_next_checks_that_changed(django_capture_on_commit_callbacks):
    from django.db import connection as default
    from django.test.utils import CaptureQueriesContext

    busy = healthy_operational()
    due = user_membership()
    DuesInvoiceFactory(membership=due, due_on=D + days(10), period_start=D + days(10))
    run(django_capture_on_commit_callbacks)
    stored = dict(Membership.objects.values_list("pk", "next_check_on"))
    assert stored[due.pk] == D + days(10) and stored[busy.pk] is not None

    def next_check_writes(queries):
        # SQLite's many-row write is logged as "N times UPDATE ...".
        return [q for q in queries if "SET next_check_on" in q["sql"]]

    with CaptureQueriesContext(default) as same_day:
        run(django_capture_on_commit_callbacks)
    assert next_check_writes(same_day.captured_queries) == []
    DuesInvoiceFactory(membership=due, due_on=D + days(3), period_start=D + days(3))
    with CaptureQueriesContext(default) as again:
        run(django_capture_on_commit_callbacks)
    assert len(next_check_writes(again.captured_queries)) == 1
    assert Membership.objects.get(pk=due.pk).next_check_on == D + days(3)


def test_a_membership_that_moves_gets_its_next_check_from_the_write_that_moves_it(
    django_capture_on_commit_callbacks,
):
    """Checked again the next day (a member made active is warned on a later day), stored
    by the statement that moves it: the evaluation writes no next check of its own for it."""
    from django.db import connection as default
    from django.test.utils import CaptureQueriesContext

    lapsing = user_membership()
    unpaid_past_grace(lapsing)
    with CaptureQueriesContext(default) as queries:
        run(django_capture_on_commit_callbacks)
    assert status_of(lapsing) == "lapsed"
    assert Membership.objects.get(pk=lapsing.pk).next_check_on == D + days(1)
    assert [q for q in queries.captured_queries if "SET next_check_on" in q["sql"]] == []


def test_a_member_suspended_during_the_run_is_neither_moved_nor_warned(
    monkeypatch, django_capture_on_commit_callbacks, coop_admin, commits_meanwhile
):
    from standing import services

    membership = healthy_operational(hours="")
    evaluate = services.status_evaluate

    def evaluate_then_suspend(memberships, **kwargs):
        evaluations = evaluate(memberships, **kwargs)
        if Membership.objects.get(pk=membership.pk).status == "active":
            membership_status_set(
                membership=membership, status="suspended", actor=coop_admin, note="Fair Use."
            )
        return evaluations

    monkeypatch.setattr(services, "status_evaluate", evaluate_then_suspend)
    run_record, evaluations = run(django_capture_on_commit_callbacks)
    assert status_of(membership) == "suspended"
    assert run_record.lapsed == 0 and evaluations == []
    assert not StatusChange.objects.filter(source="nightly").exists()


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL answers for the whole server, where other databases commit at any time",
)
@pytest.mark.django_db(transaction=True)
def test_when_nobody_commits_during_the_run_its_evaluation_stands(monkeypatch):
    """SQLite's data version says exactly whether another connection committed."""
    from standing import services

    healthy_operational(hours="")
    evaluate = services.status_evaluate
    calls = []

    def counting(memberships, **kwargs):
        calls.append(kwargs)
        return evaluate(memberships, **kwargs)

    monkeypatch.setattr(services, "status_evaluate", counting)
    run_record, _ = status_recompute(on=D)
    assert len(calls) == 1 and run_record.lapsed == 1


@pytest.mark.django_db(transaction=True)
def test_committed_since_sees_another_connections_commit():
    from meetcoop.core.db import commit_mark, committed_since

    mark = commit_mark()
    if connection.vendor == "sqlite":
        assert not committed_since(mark)
    on_another_connection(lambda: UserFactory())
    assert committed_since(mark)


# --- 2. no at-risk warning to a member made active that day ------------------------------------


def test_a_second_run_the_same_day_does_not_warn_the_members_the_first_made_active(
    django_capture_on_commit_callbacks,
):
    """Back to active (the old invoice paid), with a new invoice inside its grace period."""
    membership = user_membership(status="lapsed")
    DuesInvoiceFactory(membership=membership, due_on=D - days(5), period_start=D - days(5))
    first, _ = run(django_capture_on_commit_callbacks)
    assert first.became_active == 1 and status_of(membership) == "active"
    assert len(mail.outbox) == 1 and "active" in mail.outbox[0].subject
    second, _ = run(django_capture_on_commit_callbacks)
    assert second.unchanged == 1
    assert not StatusNotice.objects.filter(kind="at_risk").exists()
    assert len(mail.outbox) == 1
    # The next day the member is warned, once.
    run(django_capture_on_commit_callbacks, on=D + days(1))
    run(django_capture_on_commit_callbacks, on=D + days(1))
    assert StatusNotice.objects.filter(kind="at_risk", membership=membership).count() == 1
    assert len(mail.outbox) == 2 and "needs attention" in mail.outbox[1].subject


def test_a_member_a_person_reinstated_that_day_is_not_warned_that_day(
    django_capture_on_commit_callbacks, coop_admin
):
    membership = user_membership(status="suspended")
    DuesInvoiceFactory(membership=membership, due_on=D - days(5), period_start=D - days(5))
    membership_status_set(
        membership=membership, status="active", actor=coop_admin, note="Back.", on=D
    )
    run(django_capture_on_commit_callbacks)
    assert not StatusNotice.objects.filter(kind="at_risk").exists()


def test_a_member_made_active_the_day_before_is_warned(
    django_capture_on_commit_callbacks, coop_admin
):
    """Made active on an earlier day: warned as usual."""
    membership = user_membership(status="suspended")
    DuesInvoiceFactory(membership=membership, due_on=D - days(5), period_start=D - days(5))
    membership_status_set(
        membership=membership, status="active", actor=coop_admin, note="Back.", on=D - days(1)
    )
    run(django_capture_on_commit_callbacks)
    assert StatusNotice.objects.filter(kind="at_risk", membership=membership).count() == 1


# --- 3. a run whose process died --------------------------------------------------------------


def test_a_run_left_running_is_marked_failed_by_the_next_which_works(
    django_capture_on_commit_callbacks,
):
    membership = healthy_operational(hours="")
    dead = StatusRun.objects.create(on=D - days(1), source="nightly", state="running")
    run_record, _ = run(django_capture_on_commit_callbacks)
    dead.refresh_from_db()
    assert dead.state == "failed" and dead.finished_at is not None
    assert dead.error.startswith(DEAD_RUN)
    assert run_record.state == "finished" and run_record.lapsed == 1
    assert status_of(membership) == "lapsed"


def test_a_run_skipped_for_the_lock_leaves_a_running_run_alone(django_capture_on_commit_callbacks):
    """While another process holds the lock, a "running" run may be alive: it is not failed."""
    running = StatusRun.objects.create(on=D, source="nightly", state="running")
    with lock_held_elsewhere():
        skipped, _ = run(django_capture_on_commit_callbacks)
    running.refresh_from_db()
    assert skipped.state == "skipped" and running.state == "running"


def test_a_finished_run_and_its_changes_are_committed_together(
    monkeypatch, django_capture_on_commit_callbacks
):
    """A run killed after its commit is "finished": nothing written is ever called failed."""
    from standing import services

    healthy_operational(hours="")
    depth = len(connection.atomic_blocks)  # the test's own transaction
    states = []
    finish = services._finish

    def spy(run, **kwargs):
        finish(run, **kwargs)
        states.append((len(connection.atomic_blocks) > depth, StatusChange.objects.count()))

    monkeypatch.setattr(services, "_finish", spy)
    run(django_capture_on_commit_callbacks)
    assert states == [(True, 1)]  # saved "finished" inside the write's transaction


def test_process_is_gone_tells_a_live_process_from_a_dead_or_zombie_one():
    assert not process_is_gone(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert process_is_gone(child.pid)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    for _attempt in range(3000):  # exited, not yet reaped: a zombie (the clock is frozen)
        with open(f"/proc/{zombie.pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[-1].split()[0] == "Z":
                break
        time.sleep(0.01)
    assert process_is_gone(zombie.pid)
    zombie.wait()


DYING_RUN = textwrap.dedent(
    """
    import datetime, django
    django.setup()
    from django.db import connection
    import membership.services.status as writer
    from standing.services import status_recompute

    record = writer._record_changes

    def record_then_hang(**kwargs):
        written = record(**kwargs)  # the changes are written, not committed
        print("writing", flush=True)
        with connection.cursor() as cursor:  # the backend is busy when the process dies
            cursor.execute("SELECT pg_sleep(600)")
        return written

    writer._record_changes = record_then_hang
    status_recompute(on=datetime.date(2026, 11, 24), source="nightly")
    """
)


def _child_backend(pid):
    """(backend pid, query, state) of the session holding the lock for process ``pid``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, query, state FROM pg_stat_activity WHERE application_name = %s",
            [holder_label(pid=pid)],
        )
        return cursor.fetchone()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rerun_right_after_a_run_is_killed_takes_the_lock_and_fails_the_dead_run():
    """A real run, killed with SIGKILL while its backend is busy writing: the server keeps the
    dead run's session, and its lock, until that query ends. The rerun started at once finds
    the holder's process gone, ends its backend, takes the lock, marks the run failed, and
    does the work; nothing the dead run wrote was committed."""
    memberships = [healthy_operational(hours="") for _ in range(3)]
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "meetcoop.settings.test",
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{k: settings[k] or "" for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        ),
    }
    env.pop("REDIS_URL", None)
    child = subprocess.Popen(
        [sys.executable, "-c", DYING_RUN],
        cwd=str(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line == "writing\n", child.stderr.read()
        for _attempt in range(1500):  # until its backend sleeps (30 s; the clock is frozen)
            backend = _child_backend(child.pid)
            if backend and "pg_sleep" in backend[1] and backend[2] == "active":
                break
            time.sleep(0.02)
        else:
            pytest.fail(f"the run never reached its write: {backend}")
        child.kill()
        child.wait(30)

        rerun, _ = status_recompute(on=D)

        assert rerun.state == "finished" and rerun.lapsed == 3
        dead = StatusRun.objects.exclude(pk=rerun.pk).get()
        assert dead.state == "failed" and dead.error.startswith(DEAD_RUN)
        assert [status_of(m) for m in memberships] == ["lapsed"] * 3
        assert set(StatusChange.objects.values_list("run_id", flat=True)) == {rerun.pk}
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                [holder_label(pid=child.pid)],
            )


@on_postgresql
def test_the_lock_holders_session_names_its_process_and_watches_its_client():
    """While held: the label a later run reads, and the server checking every second, even
    mid-query, that the client is still there. Afterwards the session is as it was."""

    def settings_now():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('application_name'),"
                " current_setting('client_connection_check_interval')"
            )
            return cursor.fetchone()

    before = settings_now()
    with try_lock(STATUS_LOCK) as held:
        assert held
        assert settings_now() == (holder_label(), "1s")
    assert settings_now() == before


# --- 4. who started a run ----------------------------------------------------------------------

RUNS = "/admin/membership/statusrun/"


def test_recompute_now_records_who_and_is_audited_once(client, coop_admin):
    membership = MembershipFactory()
    client.force_login(coop_admin)
    client.post(
        "/admin/membership/membership/",
        {"action": "recompute_now", "_selected_action": [membership.pk]},
    )
    run_record = StatusRun.objects.get()
    assert (run_record.source, run_record.started_by) == ("on_demand", coop_admin)
    (entry,) = AuditEntry.objects.filter(action="standing.status.recomputed")
    assert entry.actor == coop_admin and entry.object_id == str(run_record.pk)
    assert entry.data["memberships"] == [membership.pk] and entry.data["source"] == "on_demand"
    page = client.get(RUNS).content.decode()
    assert coop_admin.email in page or str(coop_admin) in page


def test_the_runs_list_shows_who_started_a_run_its_counts_and_a_dry_run(
    client, coop_admin, django_assert_max_num_queries
):
    starter = UserFactory(email="ops@example.org", name="Ops Person")
    StatusRun.objects.create(
        on=D,
        source="command",
        started_by=starter,
        dry_run=True,
        state="finished",
        evaluated=1234,
        became_active=5,
        lapsed=67,
        unchanged=1162,
    )
    StatusRun.objects.create(on=D, source="nightly", state="finished", evaluated=9)
    client.force_login(coop_admin)
    with django_assert_max_num_queries(12):
        page = client.get(RUNS).content.decode()
    assert str(starter) in page
    assert "recompute command<br>" in page
    assert "finished<br>dry run" in page
    assert "evaluated: 1,234<br>became active: 5<br>lapsed: 67<br>unchanged: 1,162" in page
    # the nightly run: no person, not a dry run
    assert "nightly job</td>" in page and page.count("dry run</td>") == 1


def test_a_steward_admin_cannot_open_the_runs_list_nor_a_run(client):
    from tests.factories import StewardAdminFactory, StewardFactory

    run_record = StatusRun.objects.create(
        on=D, source="command", started_by=UserFactory(email="ops@example.org"), state="finished"
    )
    client.force_login(StewardAdminFactory(stewards=[StewardFactory()]))
    for url in (RUNS, f"{RUNS}{run_record.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 403
        assert "ops@example.org" not in page.content.decode()


def test_the_runs_list_writes_each_count_as_the_language_does():
    from django.contrib import admin
    from django.utils import translation
    from django.utils.formats import number_format

    from membership.admin.status import StatusRunAdmin

    run_record = StatusRun(on=D, source="nightly", state="finished", evaluated=1234, lapsed=67)
    with translation.override("fr"):
        shown = StatusRunAdmin(StatusRun, admin.site).outcome(run_record)
        thousands = number_format(1234, force_grouping=True)
    assert thousands != "1,234"
    assert f"\u00a0: {thousands}<br>" in shown and "\u00a0: 67<br>" in shown


def test_the_command_records_the_person_named_with_by():
    login = UserFactory(email="ops@example.org")
    call_command("recompute_status", "--by", "OPS@example.org", stdout=StringIO())
    run_record = StatusRun.objects.get()
    assert (run_record.source, run_record.started_by) == ("command", login)
    entry = AuditEntry.objects.get(action="standing.status.recomputed")
    assert entry.actor == login and entry.data["source"] == "command"


def test_the_command_without_by_is_recorded_as_the_command_by_nobody():
    call_command("recompute_status", stdout=StringIO())
    run_record = StatusRun.objects.get()
    assert (run_record.source, run_record.started_by) == ("command", None)
    entry = AuditEntry.objects.get(action="standing.status.recomputed")
    assert entry.actor is None


def test_the_command_refuses_an_unknown_by():
    with pytest.raises(CommandError, match="nobody@example.org"):
        call_command("recompute_status", "--by", "nobody@example.org")
    assert not StatusRun.objects.exists()


def test_the_nightly_run_is_started_by_nobody_and_not_audited():
    recompute_status_nightly.delay().get()
    run_record = StatusRun.objects.get()
    assert (run_record.source, run_record.started_by) == ("nightly", None)
    assert not AuditEntry.objects.filter(action="standing.status.recomputed").exists()


def test_a_command_run_for_everyone_counts_as_the_nightly_run_in_the_report():
    from standing.selectors.report import last_status_runs

    call_command("recompute_status", stdout=StringIO())
    runs = last_status_runs(now=datetime.datetime(2026, 11, 24, 4, tzinfo=datetime.UTC))
    assert runs["last_nightly"] == StatusRun.objects.get() and not runs["stale"]
