"""Database helpers that differ between PostgreSQL and SQLite, and bulk-job helpers."""

import contextlib
import gc
import json

from django.db.models import BooleanField, F, Func, Q
from django.db.models.expressions import RawSQL


def append_only_trigger_sql(table: str) -> tuple[str, str]:
    """SQL (forward, reverse) for a PostgreSQL trigger that refuses UPDATE and DELETE."""
    function = f"{table}_append_only"
    forward = f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows of {table} can''t be changed or deleted', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS {function}_trigger ON {table};
    CREATE TRIGGER {function}_trigger BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {function}();
    """
    reverse = f"""
    DROP TRIGGER IF EXISTS {function}_trigger ON {table};
    DROP FUNCTION IF EXISTS {function}();
    """
    return forward, reverse


# The owner may empty a guarded table on purpose by saying so in the same transaction:
# ``SET LOCAL meetcoop.allow_truncate = on`` (the test suite's teardown and the benchmark's
# scratch database do). The application's role has no TRUNCATE privilege at all
# (``manage.py grant_app_role``), so this setting opens nothing to it.
ALLOW_TRUNCATE_SETTING = "meetcoop.allow_truncate"


def truncate_guard_sql(table: str) -> tuple[str, str]:
    """SQL (forward, reverse) for a PostgreSQL trigger that refuses TRUNCATE of ``table``.

    The row triggers of an append-only table (``append_only_trigger_sql``) fire on UPDATE and
    DELETE; TRUNCATE fires statement triggers only, so it needs one of its own.
    """
    function = f"{table}_no_truncate"
    forward = f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN
        IF current_setting('{ALLOW_TRUNCATE_SETTING}', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'TRUNCATE of {table} is refused: its rows are kept'
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS {function}_trigger ON {table};
    CREATE TRIGGER {function}_trigger BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {function}();
    """
    reverse = f"""
    DROP TRIGGER IF EXISTS {function}_trigger ON {table};
    DROP FUNCTION IF EXISTS {function}();
    """
    return forward, reverse


def truncate_guard_operations(*tables: str) -> list:
    """Migration operations adding ``truncate_guard_sql`` to ``tables`` on PostgreSQL (no-ops
    elsewhere: SQLite has no TRUNCATE)."""
    from django.db import migrations

    return [
        migrations.RunPython(
            run_on_postgresql(truncate_guard_sql(table)[0]),
            run_on_postgresql(truncate_guard_sql(table)[1]),
        )
        for table in tables
    ]


def run_on_postgresql(sql: str):
    """A ``RunPython`` callable that runs ``sql`` only on PostgreSQL."""

    def runner(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no %-interpolation of the PL/pgSQL

    return runner


def bulk_insert(model, fields: list[str], rows, *, batch_size: int = 2000) -> int:
    """Insert ``rows`` (tuples of values in the order of ``fields``) into ``model``'s table.

    PostgreSQL: one ``COPY … FROM STDIN``, the fastest way in, with no model instance made
    per row (the nightly job writes tens of thousands of history rows). Elsewhere:
    ``bulk_create``. JSON fields take values already encoded as JSON text on PostgreSQL and
    Python values elsewhere, so callers pass ``json_encode(value)`` through ``prepare``.
    No signals are sent and ``save()`` is not called: use it for append-only history rows.
    """
    from django.db import connections, router

    alias = router.db_for_write(model)
    connection = connections[alias]
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        columns = ", ".join(
            connection.ops.quote_name(model._meta.get_field(f).column) for f in fields
        )
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return len(rows)
    objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model._base_manager.using(alias).bulk_create(objects, batch_size=batch_size)
    return len(rows)


def int_array(values) -> str:
    """A PostgreSQL array literal of integers (``'{1,2,3}'``, to cast with ``::bigint[]``):
    for tens of thousands of ids, much cheaper to build than adapting a Python list."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


class _AnyOf(Func):
    """``<field> = ANY(<array literal>::bigint[])`` (PostgreSQL): the planner knows the
    array's length, and keeps its parallel plans, which ``IN (SELECT unnest(...))`` loses."""

    output_field = BooleanField()

    def __init__(self, field: str, ids):
        super().__init__(F(field))
        self.array = int_array(ids)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s::bigint[])", (*params, self.array)


def in_ids(field: str, ids):
    """A filter ``field`` in ``ids`` taking one parameter whatever their number (a plain
    ``__in`` list is one parameter per id: tens of thousands in the status job, over SQLite's
    limit). Use it as ``queryset.filter(in_ids("pk", ids))``."""
    from django.db import connection

    ids = [int(value) for value in ids]
    if connection.vendor == "postgresql":
        return _AnyOf(field, ids)
    return Q(**{f"{field}__in": RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))})


def among(field: str, values) -> Q:
    """A filter ``field`` in ``values``: a queryset of ids (a subquery, which the planner
    joins), or the ids themselves (``in_ids``: one array parameter, which PostgreSQL serves
    from an index, the planner knowing how many they are)."""
    from django.db.models import QuerySet

    if isinstance(values, QuerySet):
        return Q(**{f"{field}__in": values})
    return in_ids(field, values)


def commit_mark():
    """A mark of what is committed at this moment; ``committed_since(mark)`` later tells
    whether another transaction has committed anything since. PostgreSQL: the current
    snapshot (cluster-wide); SQLite: ``PRAGMA data_version`` of this connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_current_snapshot()::text")
        else:
            cursor.execute("PRAGMA data_version")
        return cursor.fetchone()[0]


# Past this many transactions begun since the mark, don't look at each: assume a commit.
_MARK_SPAN = 100_000


def committed_since(mark) -> bool:
    """Whether another transaction committed since ``commit_mark()`` returned ``mark``.

    PostgreSQL: any transaction in progress at the mark, or begun after it, now committed
    (in any database of the server: a false alarm costs only the caller's care). The caller's
    own transaction, still open, never counts. SQLite: its data version changed, which
    happens exactly when another connection commits to the database file.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("PRAGMA data_version")
            return cursor.fetchone()[0] != mark
        cursor.execute(
            """
            WITH span AS (
                SELECT pg_snapshot_xmax(%(mark)s::pg_snapshot)::text::bigint AS first,
                       pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next
            )
            SELECT CASE WHEN span.next - span.first > %(most)s THEN true ELSE EXISTS (
                SELECT 1 FROM (
                    SELECT xid FROM pg_snapshot_xip(%(mark)s::pg_snapshot) AS xip(xid)
                    UNION ALL
                    SELECT g::text::xid8 FROM generate_series(span.first, span.next - 1) AS g
                ) AS begun(xid)
                WHERE pg_xact_status(begun.xid) = 'committed'
            ) END
            FROM span
            """,
            {"mark": mark, "most": _MARK_SPAN},
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector around a bulk job.

    A job that makes hundreds of thousands of small objects (rows, reasons) otherwise sets off
    full collections over an ever larger heap; measured on the status recompute at 100,000
    memberships, a third of its time. The objects such a job makes hold no reference cycles,
    so reference counting frees them anyway; the collector runs again afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything made during the pause sits in the youngest generation; enabling the
            # collector as it is would scan all of it at the next allocation (a fifth of a
            # second at 100,000 memberships). Freezing and unfreezing moves it, unscanned, to
            # the oldest generation, which the next full collection still visits.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
