"""The weekly full status recompute (issue 18): the nightly runs evaluate only what may have
changed; once a week every membership is evaluated, whatever changed. Editable in the admin
(django-celery-beat's periodic tasks)."""

from django.db import migrations

TASK = "standing.tasks.recompute_status_weekly"
NAME = "Weekly full status recompute"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Sunday at 04:00, after that night's run (02:30) and the stewards' notices (03:00): a
    # run started while another holds the lock is skipped, so the two must not meet.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="4",
        day_of_week="0",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": crontab,
            "enabled": True,
            "description": "Evaluates every active and lapsed membership, whatever changed: "
            "the safety net of the nightly runs, which read only what may have changed.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("standing", "0006_services_and_sign_ins"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
