from django.db import migrations

from meetcoop.core.db import append_only_trigger_sql, run_on_postgresql

# A ledger entry may move once from pending to approved/rejected; after that, any UPDATE or
# DELETE of the row is refused, even from raw SQL. Pending rows stay editable.
LEDGER_FORWARD = """
CREATE OR REPLACE FUNCTION contributions_ledgerentry_decided_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION USING
            MESSAGE = TG_OP || ' of a decided contributions_ledgerentry row is refused',
            ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS contributions_ledgerentry_decided_guard_trigger
    ON contributions_ledgerentry;
CREATE TRIGGER contributions_ledgerentry_decided_guard_trigger
    BEFORE UPDATE OR DELETE ON contributions_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION contributions_ledgerentry_decided_guard();
"""
LEDGER_REVERSE = """
DROP TRIGGER IF EXISTS contributions_ledgerentry_decided_guard_trigger
    ON contributions_ledgerentry;
DROP FUNCTION IF EXISTS contributions_ledgerentry_decided_guard();
"""

APPEND_ONLY_TABLES = [
    "contributions_duespayment",
    "contributions_revenuereport",
    "contributions_revenuesharepayment",
]


class Migration(migrations.Migration):
    """On PostgreSQL, refuse changes to decided ledger entries and to payments and reports."""

    dependencies = [("contributions", "0002_ledger_dues_revenue")]

    operations = [
        migrations.RunPython(run_on_postgresql(LEDGER_FORWARD), run_on_postgresql(LEDGER_REVERSE)),
    ] + [
        migrations.RunPython(
            run_on_postgresql(append_only_trigger_sql(table)[0]),
            run_on_postgresql(append_only_trigger_sql(table)[1]),
        )
        for table in APPEND_ONLY_TABLES
    ]
