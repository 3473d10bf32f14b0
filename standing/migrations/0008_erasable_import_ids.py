"""On PostgreSQL, let a former member's erasure (and nothing else) replace an import's id
that named the person by its keyed hash (``standing.erasure._erase_import_ids``); every other
UPDATE and every DELETE of an imported record is still refused."""

from django.db import migrations

from meetcoop.core.db import append_only_trigger_sql, run_on_postgresql
from meetcoop.core.erasure import erasable_append_only_trigger_sql

TABLE = "standing_importedrecord"


class Migration(migrations.Migration):
    dependencies = [
        ("standing", "0007_weekly_full_recompute"),
    ]

    operations = [
        migrations.RunPython(
            run_on_postgresql(erasable_append_only_trigger_sql(TABLE, ["external_id"])),
            run_on_postgresql(append_only_trigger_sql(TABLE)[0]),
        ),
    ]
