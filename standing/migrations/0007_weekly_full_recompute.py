"""The weekly full status recompute (issue 18): the nightly runs evaluate only what may have
changed; once a week every membership is evaluated, whatever changed. Editable in the admin
(django-celery-beat's periodic tasks)."""

from django.db import migrations

from meetcoop.core.schedules import schedule_task


class Migration(migrations.Migration):
    dependencies = [
        ("standing", "0006_services_and_sign_ins"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        # Sunday at 04:00, after that night's run (02:30) and the stewards' notices (03:00): a
        # run started while another holds the lock is skipped, so the two must not meet.
        schedule_task(
            name="Weekly full status recompute",
            task="standing.tasks.recompute_status_weekly",
            minute="0",
            hour="4",
            day_of_week="0",
            description="Evaluates every active and lapsed membership, whatever changed: the safety net of the nightly runs, which read only what may have changed.",
        )
    ]
