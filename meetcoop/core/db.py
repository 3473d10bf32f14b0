"""Database helpers that differ between PostgreSQL and SQLite."""


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
