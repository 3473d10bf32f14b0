"""Benchmark of importing a co-op's records (``manage.py import_coop``) against a plain
``COPY`` of the same rows, on PostgreSQL.

    DATABASE_URL=postgres://app:app@127.0.0.1:5432/app python bench/import_bench.py

Options: --members 10000 --entries 100000 --attendance 50000.

Makes a scratch database (``<name>_import``, dropped and made anew), writes CSV files for N
members (one membership each, half operational, half user), a circle seat for each
operational member, 100 All Hands Meetings, the attendance rows and the ledger rows (money in
euros and in Canadian dollars at a dated rate, resources, labour), then times:

* the import (``standing.services.coop_import``): reading the files, checking every row,
  writing everything in one transaction with the imported-record keys and the history;
* the same import again (every row already imported: nothing written);
* a plain ``COPY`` of the same rows (the members, memberships, seats, meetings, attendance and
  ledger rows, keys and foreign keys already resolved) into the same tables, emptied first.

and prints rows per second and the ratio of the import to the ``COPY``. Goal: within 5x.
"""

import argparse
import csv
import datetime
import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

D = datetime.date(2026, 11, 24)


def scratch_database(url: str) -> str:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_import"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path="/" + name))


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def make_files(n: int, entries: int, attendance: int) -> dict[str, bytes]:
    meetings = 100
    operational = [m for m in range(1, n + 1) if m % 2 == 0]
    files = {
        "members.csv": _csv(
            ["id", "kind", "name", "organisation_name", "email", "language", "country"],
            (
                (f"M{m}", "person", f"Member {m}", "", f"m{m}@bench.example", "en", "ES")
                if m % 10
                else (
                    f"M{m}",
                    "organisation",
                    f"Contact {m}",
                    f"Co-op {m}",
                    f"m{m}@bench.example",
                    "ca",
                    "ES",
                )
                for m in range(1, n + 1)
            ),
        ),
        "memberships.csv": _csv(
            ["id", "member", "type", "steward", "level", "status", "policy_date", "admitted_on"],
            (
                (
                    f"MS{m}",
                    f"M{m}",
                    "operational" if m % 2 == 0 else "user",
                    "meet-coop",
                    "" if m % 2 == 0 else "small",
                    "active",
                    (D - datetime.timedelta(days=30 + m % 900)).isoformat(),
                    (D - datetime.timedelta(days=20 + m % 900)).isoformat(),
                )
                for m in range(1, n + 1)
            ),
        ),
        "seats.csv": _csv(
            ["id", "member", "circle", "role", "started_on"],
            ((f"S{m}", f"M{m}", f"circle-{m % 20}", "member", "2020-01-01") for m in operational),
        ),
        "meetings.csv": _csv(
            ["id", "kind", "title", "held_on"],
            (
                (f"AH{w}", "all_hands", f"All Hands {w}", (D - datetime.timedelta(days=7 * w)))
                for w in range(1, meetings + 1)
            ),
        ),
        "attendance.csv": _csv(
            ["id", "meeting", "member"],
            (
                (f"A{a}", f"AH{1 + a // len(operational)}", f"M{operational[a % len(operational)]}")
                for a in range(attendance)
            ),
        ),
    }

    def entry(e):
        member = f"M{operational[e % len(operational)]}"
        day = (D - datetime.timedelta(days=1 + e % 600)).isoformat()
        kind = e % 10
        if kind < 2:
            return (f"L{e}", member, "money", day, "", "40.00", "EUR", "", "", "")
        if kind == 2:
            return (f"L{e}", member, "money", day, "", "55.00", "CAD", "", "", "")
        if kind == 3:
            return (f"L{e}", member, "resource", day, "A server", "30", "", "", "", "")
        return (f"L{e}", member, "labour", day, "Work", "", "", "", str(1 + e % 4), "circle-1")

    files["contributions.csv"] = _csv(
        ["id", "member", "kind", "date", "description", "amount", "currency", "eur_rate", "hours"]
        + ["circle"],
        (entry(e) for e in range(entries)),
    )
    return files


def setup_coop():
    from governance.models import Circle
    from meetcoop.users.models import User
    from membership.models import ExchangeRate, Policy, ServiceLevel
    from resellers.models import Steward

    Policy.objects.create(
        effective_from=datetime.date(2020, 1, 1),
        currency="EUR",
        commitment_money=500,
        commitment_hours=40,
        commitment_deadline_days=365,
        attendance_minimum_percent=50,
        attendance_window_days=365,
        revenue_share_percent=10,
        revenue_report_due_days=30,
        dues_grace_days=30,
        terms_acceptance_days=30,
    )
    ServiceLevel.objects.create(
        code="small", name="Small", channel="reseller", minimum_amount=10, currency="EUR"
    )
    Steward.objects.create(kind="coop", slug="meet-coop", name="Meet.coop")
    Circle.objects.bulk_create([Circle(name=f"Circle {c}", slug=f"circle-{c}") for c in range(20)])
    ExchangeRate.objects.create(
        currency="CAD", base="EUR", rate="0.68", effective_from=datetime.date(2020, 1, 1)
    )
    return User.objects.create_superuser("bench@example.org", "bench")


TABLES = [
    ("membership_member", "members"),
    ("membership_membership", "memberships"),
    ("governance_circlerole", "seats"),
    ("governance_meeting", "meetings"),
    ("governance_attendance", "attendance"),
    ("contributions_ledgerentry", "contributions"),
]


def copy_baseline() -> tuple[float, int]:
    """Read back what the import wrote, as the rows a plain COPY would load, empty the tables
    and time one COPY per table of those same rows."""
    from django.db import connection

    data = {}
    with connection.cursor() as cursor:
        # The co-op steward refers to a member (none here), so TRUNCATE ... CASCADE empties
        # it too: it is put back, untimed, before the COPY.
        for table, _kind in [("resellers_steward", ""), *TABLES]:
            buffer = io.StringIO()
            with cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(bytes(chunk).decode())
            data[table] = buffer.getvalue()
        cursor.execute(
            "SET meetcoop.allow_truncate = on; TRUNCATE membership_statuschange, "
            "standing_importedrecord, "
            + ", ".join(t for t, _k in TABLES)
            + " CASCADE; RESET meetcoop.allow_truncate;"
        )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY resellers_steward FROM STDIN") as copy,
    ):
        copy.write(data.pop("resellers_steward"))
    rows = sum(text.count("\n") for text in data.values())
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table, _kind in TABLES:
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(data[table])
    return time.perf_counter() - started, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--entries", type=int, default=100000)
    parser.add_argument("--attendance", type=int, default=50000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://user:pass@host/db")
        return 2
    os.environ["DATABASE_URL"] = scratch_database(url)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "meetcoop.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from standing.services import coop_import

    call_command("migrate", verbosity=0)
    actor = setup_coop()
    files = make_files(args.members, args.entries, args.attendance)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    started = time.perf_counter()
    result = coop_import(files=list(files.items()), actor=actor, today=D)
    imported = time.perf_counter() - started
    assert not result.errors, result.errors[:5]
    rows = sum(result.counts.values())

    started = time.perf_counter()
    again = coop_import(files=list(files.items()), actor=actor, today=D)
    second = time.perf_counter() - started
    assert sum(again.counts.values()) == 0 and sum(again.skipped.values()) == rows

    copied, copy_rows = copy_baseline()
    counts = ", ".join(f"{kind} {n}" for kind, n in result.counts.items() if n)
    print(f"rows imported: {rows} ({counts})")
    print(
        f"import (read, check, write) {imported:6.2f} s | {rows / imported:9.0f} rows/s\n"
        f"plain COPY of the same rows {copied:6.2f} s | {copy_rows / copied:9.0f} rows/s "
        f"({copy_rows} rows)\n"
        f"ratio import / COPY {imported / copied:5.2f}x (goal: within 5x)\n"
        f"second import of the same files (nothing written) {second:6.2f} s"
    )
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
