"""Database helpers that differ between PostgreSQL and SQLite, and bulk-job helpers."""

import contextlib
import gc


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
