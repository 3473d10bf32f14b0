from django.db import migrations

from meetcoop.core.db import truncate_guard_operations


class Migration(migrations.Migration):
    """On PostgreSQL, refuse TRUNCATE of the ledger and of the append-only money tables: their
    UPDATE and DELETE triggers fire per row, which TRUNCATE never does."""

    dependencies = [("contributions", "0004_dues_schedule")]

    operations = truncate_guard_operations(
        "contributions_ledgerentry",
        "contributions_duespayment",
        "contributions_revenuereport",
        "contributions_revenuesharepayment",
    )
