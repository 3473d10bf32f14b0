"""A periodic task scheduled in the database by a migration (django-celery-beat), so that
an admin can change its time or switch it off under *Periodic tasks*."""

from django.db import migrations


def schedule_task(
    *, name: str, task: str, minute: str, hour: str, description: str, day_of_week: str = "*"
) -> migrations.RunPython:
    """A migration operation that schedules ``task`` as the periodic task ``name`` at
    ``hour``:``minute`` UTC on ``day_of_week`` (cron syntax), once (a row already there, as an
    admin left it, is kept), and removes it when the migration is reversed."""

    def schedule(apps, schema_editor):
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone="UTC",
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "enabled": True,
                "description": description,
            },
        )

    def unschedule(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return migrations.RunPython(schedule, unschedule)
