from django.db import migrations

from meetcoop.core.db import truncate_guard_operations


class Migration(migrations.Migration):
    """On PostgreSQL, refuse TRUNCATE of this append-only table: its UPDATE and DELETE
    trigger fires per row, which TRUNCATE never does."""

    dependencies = [("core", "0003_audit_append_only_trigger")]

    operations = truncate_guard_operations("core_auditentry")
