"""EXPLAIN (ANALYZE, BUFFERS) of every statement the status evaluation sends, on the data a
``status_bench.py`` run left in ``<name>_bench`` (nothing is rebuilt or written).

    DATABASE_URL=postgres://app:app@127.0.0.1:5432/app python bench/status_explain.py

Options: --timeout 120 (seconds a statement may run before it is cancelled and reported as
such), --full (print every plan whole; by default its first lines, the lines that tell of
batches, workers and sorts on disk, and the execution time), --settings "work_mem=64MB"
(session settings to try, comma-separated). It evaluates with ``parallel=False`` (the
statements one after another on one connection) and explains each statement it captured.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from status_bench import D  # noqa: E402

TELLING = ("Batches", "Workers", "Disk", "Sort Method", "Hash Cond", "Join Filter", "Rows Removed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--settings", default="")
    parser.add_argument(
        "--slice", default="", help="lo,hi: evaluate memberships with lo <= id < hi"
    )
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    parsed = urlparse(url)
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=parsed.path + "_bench"))
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "meetcoop.settings.test"
    import django

    django.setup()
    from django.db import connection

    from membership.models import Membership
    from standing.selectors import status_evaluate

    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    memberships = Membership.objects.filter(status__in=["active", "lapsed"])
    if args.slice:
        lo, hi = (int(v) for v in args.slice.split(","))
        memberships = memberships.filter(pk__gte=lo, pk__lt=hi)
    with connection.execute_wrapper(capture):
        started = time.perf_counter()
        status_evaluate(memberships, on=D, parallel=False)
        print(f"evaluation: {time.perf_counter() - started:.2f} s, {len(captured)} statements")
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{args.timeout}s'")
        for setting in filter(None, args.settings.split(",")):
            name, value = setting.split("=")
            cursor.execute(f"SET {name} = '{value}'")
        for number, (sql, params) in enumerate(captured, 1):
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            print(f"\n--- statement {number}: {sql[:300]}{'...' if len(sql) > 300 else ''}")
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            except Exception as exc:  # a statement cancelled by the timeout
                print(f"    {type(exc).__name__}: {str(exc).strip()}")
                connection.rollback() if connection.in_atomic_block else None
                continue
            lines = [row[0] for row in cursor.fetchall()]
            shown = (
                lines
                if args.full
                else lines[:3]
                + [ln for ln in lines[3:] if any(t in ln for t in TELLING)]
                + lines[-2:]
            )
            for line in shown:
                print("    " + line)
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
