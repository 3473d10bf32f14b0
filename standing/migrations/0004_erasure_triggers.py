"""On PostgreSQL, let a former member's erasure (and nothing else) rewrite the free-text
columns of the append-only tables (``meetcoop.core.erasure``); every other UPDATE and every
DELETE is still refused."""

from django.db import migrations

from meetcoop.core.db import append_only_trigger_sql, run_on_postgresql
from meetcoop.core.erasure import erasable_append_only_trigger_sql, erasable_ledger_guard_sql

LEDGER = "contributions_ledgerentry"

# ``meetcoop.core.erasure.ERASABLE_COLUMNS`` as it was when this migration was written: a
# migration must do the same on every database, whatever the code says later. A column added
# to that list later needs a migration of its own.
ERASABLE_COLUMNS = {
    "core_auditentry": ["object_repr", "data"],
    "contributions_ledgerentry": ["description", "decision_note", "reason"],
    "contributions_duespayment": ["note"],
    "contributions_revenuesharepayment": ["note"],
    "contributions_compensationsettlement": ["note"],
    "contributions_bankline": ["counterparty", "remittance"],
    "contributions_banklinedecision": ["reason"],
    "contributions_onlinepaymentevent": ["reason"],
    "governance_stancerecord": ["reason"],
    "resellers_applicationdecision": ["reason"],
    "resellers_concernentry": ["text"],
    "membership_statuschange": ["note"],
}

# The ledger's guard as contributions' migration 0003 wrote it (the reverse).
LEDGER_GUARD = """
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
"""


class Migration(migrations.Migration):
    dependencies = [
        ("standing", "0003_coop_import"),
        ("core", "0004_audit_truncate_guard"),
        ("membership", "0018_erasure_requests"),
        ("contributions", "0013_online_payments"),
        ("governance", "0009_role_application_proposals"),
        ("resellers", "0013_steward_online_payments"),
    ]

    operations = [
        migrations.RunPython(
            run_on_postgresql(erasable_ledger_guard_sql(ERASABLE_COLUMNS[LEDGER])),
            run_on_postgresql(LEDGER_GUARD),
        ),
    ] + [
        migrations.RunPython(
            run_on_postgresql(erasable_append_only_trigger_sql(table, columns)),
            run_on_postgresql(append_only_trigger_sql(table)[0]),
        )
        for table, columns in ERASABLE_COLUMNS.items()
        if table != LEDGER
    ]
