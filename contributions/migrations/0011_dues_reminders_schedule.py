"""Remind members of their unpaid dues every morning, after the status recompute (editable in
the admin's beat pages)."""

from django.db import migrations

from meetcoop.core.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0010_dues_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Dues reminders",
            task="contributions.send_dues_reminders",
            minute="0",
            hour="6",
            day_of_week="*",
            description="Reminds each member of an unpaid invoice once before its due date and once before its grace period ends.",
        )
    ]
