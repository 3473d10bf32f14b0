"""Tell stewards' admins, nightly after the status recompute, when their steward stops or
starts again taking applications (issue 14)."""

from django.db import migrations

from meetcoop.core.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("standing", "0001_nightly_task_moves_to_standing"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        schedule_task(
            name="Nightly steward availability notice",
            task="standing.tasks.steward_availability_nightly",
            minute="0",
            hour="3",
            day_of_week="*",
            description="Tells each steward's admins once when it stops or starts again taking applications.",
        )
    ]
