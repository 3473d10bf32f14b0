from django.db import migrations

from meetcoop.core.db import append_only_trigger_sql, run_on_postgresql

FORWARD, REVERSE = append_only_trigger_sql("core_auditentry")


class Migration(migrations.Migration):
    """On PostgreSQL, refuse UPDATE and DELETE of audit entries even from raw SQL."""

    dependencies = [("core", "0002_initial")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(REVERSE)),
    ]
