from django.db import migrations

from meetcoop.core.db import append_only_trigger_sql, run_on_postgresql

FORWARD, REVERSE = append_only_trigger_sql("resellers_applicationdecision")


class Migration(migrations.Migration):
    """On PostgreSQL, refuse UPDATE and DELETE of application decisions even from raw SQL."""

    dependencies = [("resellers", "0003_applications")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(REVERSE)),
    ]
