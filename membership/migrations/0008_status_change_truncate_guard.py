from django.db import migrations

from meetcoop.core.db import truncate_guard_operations


class Migration(migrations.Migration):
    """On PostgreSQL, refuse TRUNCATE of this append-only table: its UPDATE and DELETE
    trigger fires per row, which TRUNCATE never does."""

    dependencies = [("membership", "0007_status_run_started_by")]

    operations = truncate_guard_operations("membership_statuschange")
