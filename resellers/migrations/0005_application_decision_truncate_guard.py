from django.db import migrations

from meetcoop.core.db import truncate_guard_operations


class Migration(migrations.Migration):
    """On PostgreSQL, refuse TRUNCATE of this append-only table: its UPDATE and DELETE
    trigger fires per row, which TRUNCATE never does."""

    dependencies = [("resellers", "0004_application_decision_append_only")]

    operations = truncate_guard_operations("resellers_applicationdecision")
