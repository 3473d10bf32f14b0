"""Purge the forms' one-time keys older than 30 days every night (editable in the admin's beat
pages)."""

from django.db import migrations

from meetcoop.core.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_submission_keys"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Purge form submission keys",
            task="core.purge_submission_keys",
            minute="30",
            hour="2",
            day_of_week="*",
            description="Deletes the forms' one-time keys older than 30 days: a page that old, sent again, is recorded again.",
        )
    ]
