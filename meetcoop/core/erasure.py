"""The one narrow exception to the append-only tables: a former member's erasure.

The rows of an append-only table are never changed (``meetcoop.core.models.AppendOnlyModel``
and, on PostgreSQL, a trigger per table). An erasure must still take a person's name, email
and words out of their free-text columns, while every amount, count, date and id stays. So,
inside the erasure's transaction only (``erasure_allowed``), each such table's trigger lets an
UPDATE through when it changes nothing but the table's free-text columns listed in
``ERASABLE_COLUMNS`` (``erasable_append_only_trigger_sql``); anything else is still refused.
"""

import contextlib

from django.db import DatabaseError, connection, models

from .models import AppendOnlyModel

# The setting the erasure turns on for its own transaction (``SET LOCAL``).
ERASURE_SETTING = "meetcoop.erasure"

# What an erased free text reads.
ERASED_TEXT = "(erased)"

# Per append-only table, the only columns an erasure may rewrite: free texts a person typed
# (a reason, a note, a description, a bank line's payer and remittance), the audit log's
# stored label and data, and an import's id that named the person. Amounts, dates, statuses,
# the rows' own ids and hashes are never among them.
ERASABLE_COLUMNS: dict[str, list[str]] = {
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
    # An import's id for a row, when it named the person (an email used as a member's id):
    # replaced by its keyed hash (``standing.erasure``), never swept.
    "standing_importedrecord": ["external_id"],
}


def _erasure_clause(columns: list[str]) -> str:
    listed = ", ".join(f"'{column}'" for column in columns)
    return f"""
    IF TG_OP = 'UPDATE' AND current_setting('{ERASURE_SETTING}', true) = 'on'
        AND (to_jsonb(NEW) - ARRAY[{listed}]::text[]) = (to_jsonb(OLD) - ARRAY[{listed}]::text[])
    THEN
        RETURN NEW;
    END IF;"""


def erasable_append_only_trigger_sql(table: str, columns: list[str]) -> str:
    """SQL replacing the function of ``table``'s append-only trigger
    (``meetcoop.core.db.append_only_trigger_sql``) by one that also lets an erasure rewrite
    ``columns``. The reverse is that function's forward SQL. A migration passes the columns
    as they were when it was written, so that a later change to ``ERASABLE_COLUMNS`` needs a
    migration of its own (a test compares the installed triggers with the list)."""
    function = f"{table}_append_only"
    return f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN{_erasure_clause(columns)}
        RAISE EXCEPTION '% rows of {table} can''t be changed or deleted', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """


def erasable_ledger_guard_sql(columns: list[str]) -> str:
    """The ledger's own guard (a decided entry is never changed; see contributions' migration
    0003), with the same exception for its free-text ``columns``."""
    return f"""
    CREATE OR REPLACE FUNCTION contributions_ledgerentry_decided_guard() RETURNS trigger AS $$
    BEGIN{_erasure_clause(columns)}
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


@contextlib.contextmanager
def erasure_allowed():
    """Inside the caller's transaction: let the erasure's UPDATEs of erasable columns through
    the triggers, and close the door again afterwards."""
    if connection.vendor != "postgresql":
        yield
        return
    _set_erasure("on")
    try:
        yield
    except BaseException:
        # The caller's transaction (or savepoint) is rolled back, and the setting with it. If
        # a statement failed, the transaction is aborted and refuses even this reset: the
        # statement's own error is the one to see.
        with contextlib.suppress(DatabaseError):
            _set_erasure("off")
        raise
    _set_erasure("off")


def _set_erasure(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [ERASURE_SETTING, value])


def erase_update(queryset, **values) -> int:
    """``queryset.update(**values)``, also for an append-only model (whose own ``update``
    refuses): only erasable columns, inside ``erasure_allowed``."""
    model = queryset.model
    table = model._meta.db_table
    allowed = ERASABLE_COLUMNS.get(table)
    if allowed is None and issubclass(model, AppendOnlyModel):
        # Not one of the listed tables: append-only, with no exception at all.
        raise ValueError(f"{table} is append-only; an erasure can't change it.")
    if allowed is not None:
        columns = {model._meta.get_field(name).column for name in values}
        if not columns <= set(allowed):
            raise ValueError(f"{sorted(columns - set(allowed))} of {table} can't be erased.")
    return models.QuerySet.update(queryset, **values)
