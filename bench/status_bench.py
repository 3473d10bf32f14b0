"""Benchmark of the nightly status recompute against a raw-SQL floor, on PostgreSQL.

    DATABASE_URL=postgres://app:app@127.0.0.1:5432/app python bench/status_bench.py

Options: --sizes 10000,100000 (the sizes to build and time, smallest first; 1000000 is a long
run: the data alone takes about ten minutes to build on 2 cores), --phases (the time and peak
memory of each phase of each recompute), --build-only (build the one size given and stop, to
study the plans: ``bench/status_explain.py``), --reuse (the one size given, on the data a
previous run left, its statuses set back: a cold start again without building it anew),
--usual-night (then give 1 % of the members a new fact and time the next night, which
evaluates only the memberships that may have changed).

Builds a co-op in a scratch database (``<name>_bench``, dropped and made anew): N memberships
(half operational, half user), 10 ledger entries per membership (1,000,000 at 100k), 50 All
Hands Meetings in the last year with about half of the operational members at each, circle
seats, three dues invoices per user membership with most paid, and the Terms of Use accepted.
It then times, in the same run:

* the full recompute (``standing.services.status_recompute``: evaluation, writes, history),
* one raw SQL query computing the same per-member aggregates (the floor),

and prints both, their ratio, the memberships per second, and t(largest)/t(smallest). The
floor, which only reads, is the median of three timings; the recompute is timed once, cold (a
third of the co-op changes status), then again on the same day (nothing left to change).
Each line also gives the peak resident memory of the process (the data is built by SQL in
the database, so it is the job's), and the processor time the floor and the cold start used,
this process and PostgreSQL's together (``Cpu``; the server must run on this machine): the
cold start's, spread over every core, is the least it could take, however its work were
overlapped. Targets (2 cores): a cold recompute within 3x the floor up
to 100k and at least 5,000 memberships/s; at 1M within 2x the floor, at most 1 GB, and
t(1M)/t(100k) at most 11; a usual night (1 % of members with a new fact) within 0.5x the
floor. ``make bench`` runs it with --phases --usual-night (``SIZES=…`` to choose the sizes).
"""

import argparse
import datetime
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

D = datetime.date(2026, 11, 24)


def scratch_database(url: str, *, keep: bool = False) -> str:
    """Drop and create ``<name>_bench`` on the same server (unless ``keep`` and it exists);
    return its URL."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_bench"
    admin = urlunparse(parsed._replace(path="/postgres"))
    if keep:
        with psycopg.connect(admin, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return urlunparse(parsed._replace(path="/" + name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path="/" + name))


FILL = """
-- The kept tables refuse TRUNCATE unless the owner says so (meetcoop.core.db).
SET meetcoop.allow_truncate = on;
TRUNCATE membership_statuschange, membership_statusnotice, membership_statusrun,
  governance_attendance, governance_meeting, governance_circlerole, governance_circle,
  contributions_duespayment, contributions_duesinvoice, contributions_ledgerentry,
  membership_termsacceptance, membership_termsversion, membership_membership,
  membership_member, resellers_stewardoffer, resellers_steward, membership_servicelevel,
  membership_policy RESTART IDENTITY CASCADE;
RESET meetcoop.allow_truncate;

INSERT INTO membership_policy (effective_from, currency, commitment_money, commitment_hours,
  commitment_deadline_days, attendance_minimum_percent, attendance_window_days,
  revenue_share_percent, revenue_report_due_days, dues_grace_days, terms_acceptance_days,
  note, created_at, participation_rule, circle_attendance_minimum_percent,
  circle_attendance_minimum_count, reseller_report_grace_days, dues_reminder_days_before_due,
  dues_reminder_days_before_grace_end, register_retention_years)
VALUES ('2020-01-01', 'EUR', 500, 40, 365, 50, 365, 10, 30, 30, 30, '', now(), 'all_hands', 50,
  0, 30, 7, 7, 10);

INSERT INTO membership_servicelevel (code, name, description, channel, minimum_amount, currency,
  period, position) VALUES ('small', 'Small', '', 'reseller', 10, 'EUR', 'month', 0);
INSERT INTO resellers_steward (kind, slug, name, description, website, contact_email, languages,
  currencies, accepting_applications, account_holder, bic, iban, other_account_details,
  online_payments)
VALUES ('coop', 'meet-coop', 'Meet.coop', '', '', '', '["en"]', '["EUR"]', true, '', '', '', '',
  false);
INSERT INTO users_user (password, is_superuser, is_staff, is_active, date_joined, email, name,
  language) VALUES ('!', true, true, true, now(), 'bench@example.org', 'Bench', 'en')
  ON CONFLICT (email) DO NOTHING;

INSERT INTO membership_member (kind, name, organisation_name, email, country, language, created_at,
  postal_address)
SELECT 'person', 'Member ' || g, '', 'm' || g || '@bench.example', 'ES', 'en', now(), ''
FROM generate_series(1, %(n)s) g;

INSERT INTO membership_membership (member_id, type, status, steward_id, service_level_id,
  applied_on, admitted_on, status_changed_at, created_at)
SELECT g, CASE WHEN g %% 2 = 0 THEN 'operational' ELSE 'user' END,
  CASE WHEN g %% 20 = 0 THEN 'lapsed' WHEN g %% 97 = 0 THEN 'suspended' ELSE 'active' END,
  1, CASE WHEN g %% 2 = 0 THEN NULL ELSE 1 END,
  DATE %(d)s - (30 + g %% 900), DATE %(d)s - (20 + g %% 900), now() - interval '1 day', now()
FROM generate_series(1, %(n)s) g;

INSERT INTO governance_circle (name, slug, purpose)
SELECT 'Circle ' || c, 'circle-' || c, '' FROM generate_series(1, 20) c;
INSERT INTO governance_circlerole (circle_id, member_id, role, started_on, ended_on)
SELECT 1 + g %% 20, g, CASE WHEN g %% 50 = 0 THEN 'coordinator' ELSE 'member' END,
  DATE '2020-01-01', CASE WHEN g %% 23 = 0 THEN DATE %(d)s - 5 ELSE NULL END
FROM generate_series(2, %(n)s, 2) g;

-- 10 ledger entries per membership, all on the operational members: labour mostly, some money.
INSERT INTO contributions_ledgerentry (member_id, kind, occurred_on, description, amount,
  currency, eur_rate, eur_value, hours, circle_id, status, logged_by_id, logged_at,
  decided_by_id, decided_at, decision_note, reason, source_key)
SELECT 2 * (1 + (e %% (%(n)s / 2))),
  CASE WHEN e %% 5 = 0 THEN 'money' ELSE 'labour' END,
  DATE %(d)s - (e %% 300), 'work',
  CASE WHEN e %% 5 = 0 THEN 40 ELSE NULL END, 'EUR',
  CASE WHEN e %% 5 = 0 THEN 1 ELSE NULL END,
  CASE WHEN e %% 5 = 0 THEN 40 ELSE 0 END,
  CASE WHEN e %% 5 = 0 THEN 0 ELSE 1 + (e %% 4) END,
  CASE WHEN e %% 5 = 0 THEN NULL ELSE 1 + e %% 20 END,
  CASE WHEN e %% 13 = 0 THEN 'pending' ELSE 'approved' END,
  1, now() - interval '2 days', CASE WHEN e %% 13 = 0 THEN NULL ELSE 1 END,
  CASE WHEN e %% 13 = 0 THEN NULL ELSE %(d)s::timestamptz - interval '1 day' END, '', '', ''
FROM generate_series(1, %(n)s * 10) e;

INSERT INTO governance_meeting (kind, title, held_on, agenda, minutes_url,
  attendance_recorded_at, created_at)
SELECT 'all_hands', 'All Hands ' || w, DATE %(d)s - 7 * w, '', '', now(), now()
FROM generate_series(1, 50) w;
INSERT INTO governance_attendance (meeting_id, member_id, recorded_at)
SELECT mt.id, g, now()
FROM governance_meeting mt CROSS JOIN generate_series(2, %(n)s, 2) g
WHERE (g * 7 + mt.id) %% 10 < 4 + (g / 2) %% 3;

INSERT INTO contributions_duesinvoice (membership_id, period_start, period_end, amount, currency,
  due_on, issued_at, reference)
SELECT g, DATE %(d)s - 30 * k, DATE %(d)s - 30 * k + 29, 10, 'EUR', DATE %(d)s - 30 * k, now(),
  'BENCH' || g || '-' || k
FROM generate_series(1, %(n)s, 2) g CROSS JOIN generate_series(0, 2) k;
INSERT INTO contributions_duespayment (invoice_id, amount, currency, paid_on, note,
  recorded_by_id, recorded_at, source_key)
SELECT id, amount, 'EUR', due_on, '', 1, now(), '' FROM contributions_duesinvoice
WHERE id %% 11 <> 0;

INSERT INTO membership_termsversion (document, version, text, published_at)
VALUES ('terms_of_use', '1.0', 'Be kind.', '2024-01-01');
INSERT INTO membership_termsacceptance (member_id, terms_version_id, accepted_at)
SELECT g, 1, now() FROM generate_series(1, %(n)s, 2) g WHERE g %% 33 <> 0;
"""

# The statuses as FILL made them (memberships are numbered from 1 by FILL), and no run: a
# cold start again on the data already built (--reuse).
RESET = """
SET meetcoop.allow_truncate = on;
TRUNCATE membership_statuschange, membership_statusnotice, membership_statusrun
  RESTART IDENTITY CASCADE;
RESET meetcoop.allow_truncate;
UPDATE membership_membership SET
  status = CASE WHEN id %% 20 = 0 THEN 'lapsed' WHEN id %% 97 = 0 THEN 'suspended'
    ELSE 'active' END,
  status_changed_at = now() - interval '1 day', next_check_on = NULL, facts_changed_at = NULL;
-- Data built before the decisions were dated before the day evaluated (they were dated now(),
-- so once the machine's clock passed that day no contribution counted): dated as FILL dates
-- them now. The ledger's guard refuses changing a decided entry; the owner may, here.
ALTER TABLE contributions_ledgerentry DISABLE TRIGGER USER;
DELETE FROM contributions_ledgerentry WHERE description = 'usual day';
UPDATE contributions_ledgerentry SET decided_at = %(d)s::timestamptz - interval '1 day'
 WHERE decided_at > %(d)s::timestamptz;
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE contributions_ledgerentry ENABLE TRIGGER USER;
"""

FLOOR = """
WITH led AS (
  SELECT member_id,
    SUM(CASE WHEN kind IN ('money', 'resource') THEN eur_value ELSE 0 END) AS eur,
    SUM(CASE WHEN kind = 'labour' AND NOT paid_work THEN hours ELSE 0 END) AS hours
  FROM contributions_ledgerentry WHERE status = 'approved' GROUP BY member_id),
circ AS (
  SELECT member_id, COUNT(DISTINCT circle_id) AS n FROM governance_circlerole
  WHERE started_on <= %(d)s AND (ended_on IS NULL OR ended_on >= %(d)s) GROUP BY member_id),
att AS (
  SELECT a.member_id, COUNT(*) AS n FROM governance_attendance a
  JOIN governance_meeting mt ON mt.id = a.meeting_id
  WHERE mt.kind = 'all_hands' AND mt.held_on >= %(start)s AND mt.held_on < %(d)s
  GROUP BY a.member_id),
paid AS (SELECT invoice_id, SUM(amount) AS paid FROM contributions_duespayment GROUP BY invoice_id),
dues AS (
  SELECT i.membership_id, COUNT(*) AS n FROM contributions_duesinvoice i
  LEFT JOIN paid ON paid.invoice_id = i.id
  WHERE i.due_on < %(d)s AND COALESCE(paid.paid, 0) < i.amount GROUP BY i.membership_id),
terms AS (SELECT DISTINCT member_id FROM membership_termsacceptance)
SELECT m.id, m.status, led.eur, led.hours, circ.n, att.n, dues.n, terms.member_id
FROM membership_membership m
LEFT JOIN led ON led.member_id = m.member_id
LEFT JOIN circ ON circ.member_id = m.member_id
LEFT JOIN att ON att.member_id = m.member_id
LEFT JOIN dues ON dues.membership_id = m.id
LEFT JOIN terms ON terms.member_id = m.member_id
WHERE m.status IN ('active', 'lapsed')
"""


def build(n: int, *, reuse: bool = False) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM membership_membership")
        if reuse and cursor.fetchone()[0] == n:
            cursor.execute(RESET, {"d": D})
        else:
            cursor.execute(FILL, {"n": n, "d": D})
        # As a production database is: vacuumed and analysed, so that autovacuum does not
        # start in the middle of the measurement.
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def cpu_seconds() -> tuple[float, float | None]:
    """(this process, PostgreSQL) processor seconds used so far, user and system, on Linux.

    PostgreSQL's are those of every process named ``postgres`` that is still running, plus
    what the postmaster collected from its children that ended (the connections a run
    closed, parallel workers): the server must run on this machine. Read before and after a
    run, the difference is the work the run cost the two of them, whatever the cores did
    meanwhile. PostgreSQL's is None when no such process is found (a server elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    own = resource.getrusage(resource.RUSAGE_SELF)
    server, found = 0, False
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                line = stat.read()
        except OSError:  # ended meanwhile
            continue
        name, fields = line[line.index("(") + 1 : line.rindex(")")], line[line.rindex(")") + 2 :]
        if name != "postgres":
            continue
        # Fields 14 to 17 of proc(5) (utime, stime, cutime, cstime), counted from the state.
        utime, stime, cutime, cstime = (int(f) for f in fields.split()[11:15])
        server += utime + stime + cutime + cstime
        found = True
    return own.ru_utime + own.ru_stime, server / ticks if found else None


class Cpu:
    """The processor seconds a block used: ``job`` (this process, its threads included) and
    ``server`` (PostgreSQL), and how many of the machine's cores that kept busy on average."""

    def __enter__(self):
        self.started = time.perf_counter()
        self._job, self._server = cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.started
        job, server = cpu_seconds()
        self.job = job - self._job
        self.server = None if None in (server, self._server) else server - self._server
        return False

    def __str__(self):
        if self.server is None:
            return (
                f"processor {self.job:.1f} s in this process; PostgreSQL's not counted "
                "(no server process on this machine)"
            )
        busy = (self.job + self.server) / self.wall if self.wall else 0
        return (
            f"processor {self.job + self.server:.1f} s (this process {self.job:.1f} s, "
            f"PostgreSQL {self.server:.1f} s): {busy:.2f} of {os.cpu_count()} cores busy"
        )


def processor_compared(floor: float, floor_cpu: Cpu, cold: Cpu) -> str:
    """The end of a size's summary line: the processor time the floor and the cold start
    used, and the least the cold start could take, its work spread perfectly over every
    core, as a ratio to the floor. Empty when PostgreSQL's is not counted, or when the floor
    was too quick to register (a tiny co-op: the kernel counts in hundredths of a second)."""
    if floor_cpu.server is None or cold.server is None:
        return ""
    cores = os.cpu_count() or 1
    work, floor_work = cold.job + cold.server, floor_cpu.job + floor_cpu.server
    if not floor_work or not floor:
        return ""
    return (
        f" | processor: floor {floor_work:.1f} s, cold start {work:.1f} s "
        f"({work / floor_work:.2f}x); on {cores} cores at best {work / cores:.1f} s "
        f"({work / cores / floor:.2f}x the floor)"
    )


def time_floor() -> tuple[float, int, Cpu]:
    from django.db import connection

    with Cpu() as cpu, connection.cursor() as cursor:
        cursor.execute(FLOOR, {"d": D, "start": D - datetime.timedelta(days=365)})
        rows = cursor.fetchall()
    return cpu.wall, len(rows), cpu


USUAL = """
-- A usual day: 1 %% of the members get a new approved contribution, and their memberships
-- are marked, as the ledger's services mark them.
INSERT INTO contributions_ledgerentry (member_id, kind, occurred_on, description, amount,
  currency, eur_rate, eur_value, hours, circle_id, status, logged_by_id, logged_at,
  decided_by_id, decided_at, decision_note, reason, source_key)
SELECT m.id, 'money', DATE %(d)s, 'usual day', 40, 'EUR', 1, 40, 0, NULL, 'approved', 1, now(),
  1, %(d)s::timestamptz + interval '12 hours', '', '', ''
FROM membership_member m WHERE m.id %% 100 = 7;
UPDATE membership_membership SET facts_changed_at = now() WHERE member_id %% 100 = 7;
"""


def usual_day() -> int:
    """Write a usual day's facts (``USUAL``); return how many members got one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(USUAL, {"d": D})
        cursor.execute("SELECT count(*) FROM membership_member WHERE id % 100 = 7")
        return cursor.fetchone()[0]


def time_recompute(*, label: str = "", show_phases: bool = False, on=D, **kwargs):
    """Run the status job once; return (seconds, its run, the processor time it used)."""
    from meetcoop.core.phases import peak_mb, recording, summary
    from standing.services import status_recompute

    with Cpu() as cpu, recording() as records:
        run, _evaluations = status_recompute(
            on=on, source="nightly", keep_evaluations=False, **kwargs
        )
    seconds = cpu.wall
    if show_phases:
        print(f"  {label}: {seconds:.2f} s, peak memory of this process {peak_mb():.0f} MB")
        print(f"    {cpu}")
        for name, times, spent, peak in summary(records):
            ran = f" ({times} slices)" if times > 1 else ""
            print(
                f"    {name:<40} {spent:8.2f} s {100 * spent / seconds:5.1f} %"
                f"  peak {peak:6.0f} MB{ran}"
            )
    return seconds, run, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build the data of the (one) size given and stop: to study the plans with psql",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the scratch database when it holds the (one) size given: only its statuses "
        "are set back and the runs' history emptied, for a cold start again",
    )
    parser.add_argument(
        "--usual-night",
        action="store_true",
        help="after the two runs, give 1 %% of the members a new fact and time the next "
        "night, which evaluates only what may have changed",
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="print the time and peak memory of each phase of each recompute",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://user:pass@host/db")
        return 2
    os.environ["DATABASE_URL"] = scratch_database(url, keep=args.reuse)
    os.environ.pop("REDIS_URL", None)  # the emails it queues are sent inline, not timed apart
    os.environ["DJANGO_SETTINGS_MODULE"] = "meetcoop.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from meetcoop.core.phases import peak_mb

    call_command("migrate", verbosity=0)
    # Celery runs the tasks the job queues eagerly here, with no broker: its "Task …
    # succeeded" lines and kombu's "No hostname was supplied" are not part of the measurement.
    import logging

    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    # The emails the run queues go to a worker in production; here they would be sent inline
    # by the eager task and timed with the job, so they are switched off for the measurement.
    import membership.services.status as status_writer

    status_writer.enqueue_notice_sending = lambda: None

    results = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        built = build(n, reuse=args.reuse)
        if args.build_only:
            print(f"{n:>7} memberships built in {built:.1f} s")
            continue
        # The floor only reads, so it is timed three times (before and after the recompute)
        # and its median taken: one timing on a shared 2-core machine varies by a third.
        floor, rows, floor_cpu = time_floor()
        if args.phases:
            print(f"  {n} raw SQL floor: {floor:.2f} s, {floor_cpu}")
        full, run, cold_cpu = time_recompute(label=f"{n} cold", show_phases=args.phases)
        second, rerun, _cpu = time_recompute(label=f"{n} second run", show_phases=args.phases)
        if args.usual_night:
            from standing.selectors.plan import nightly_plan

            touched = usual_day()
            on = D + datetime.timedelta(days=1)
            usual, night, _cpu = time_recompute(
                label=f"{n} usual night",
                show_phases=args.phases,
                on=on,
                plan=nightly_plan(on=on),
            )
        timings = sorted(
            [(floor, floor_cpu), time_floor()[::2], time_floor()[::2]], key=lambda t: t[0]
        )
        floors = [seconds for seconds, _cpu in timings]
        floor, floor_cpu = timings[1]
        results[n] = full
        print(
            f"{n:>7} memberships | data {built:6.1f} s | raw SQL floor {floor:6.2f} s ({rows} rows,"
            f" median of {', '.join(f'{f:.2f}' for f in floors)})"
            f" | full recompute {full:6.2f} s (evaluated {run.evaluated}, "
            f"{run.became_active} to active, {run.lapsed} lapsed) | ratio {full / floor:4.2f}x"
            f" | {n / full:8.0f} memberships/s | second run {second:5.2f} s "
            f"({rerun.lapsed + rerun.became_active} changes, ratio {second / floor:4.2f}x)"
            f" | peak memory {peak_mb():.0f} MB{processor_compared(floor, floor_cpu, cold_cpu)}"
        )
        if args.usual_night:
            print(
                f"{n:>7} memberships | usual night ({touched} members with a new fact): "
                f"{usual:6.2f} s, scope {night.scope}, evaluated {night.evaluated}, "
                f"{night.lapsed + night.became_active} changes | ratio to the floor "
                f"{usual / floor:4.2f}x | plan: {night.plan}"
            )
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(
            f"t({large})/t({small}) = {results[large] / results[small]:.1f} "
            f"for {large / small:.0f}x the memberships"
        )
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
