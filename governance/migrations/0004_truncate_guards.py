from django.db import migrations

from meetcoop.core.db import truncate_guard_operations


class Migration(migrations.Migration):
    """On PostgreSQL, refuse TRUNCATE of the append-only tables: their UPDATE and DELETE
    triggers fire per row, which TRUNCATE never does."""

    dependencies = [("governance", "0003_append_only_and_periodic_tasks")]

    operations = truncate_guard_operations("governance_documentversion", "governance_stancerecord")
