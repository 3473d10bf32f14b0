from django.db import migrations

from meetcoop.core.db import append_only_trigger_sql, run_on_postgresql

VERSIONS_FORWARD, VERSIONS_REVERSE = append_only_trigger_sql("governance_documentversion")
STANCES_FORWARD, STANCES_REVERSE = append_only_trigger_sql("governance_stancerecord")

PERIODIC = [
    # name, task, every (minutes)
    ("governance: close due proposals", "governance.tasks.close_due_proposals", 5),
    ("governance: remind non-voters", "governance.tasks.send_closing_reminders", 60),
]


def add_periodic_tasks(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in PERIODIC:
        schedule, _created = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": schedule, "enabled": True}
        )


def remove_periodic_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[p[0] for p in PERIODIC]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_meetings_proposals_documents"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(
            run_on_postgresql(VERSIONS_FORWARD), run_on_postgresql(VERSIONS_REVERSE)
        ),
        migrations.RunPython(
            run_on_postgresql(STANCES_FORWARD), run_on_postgresql(STANCES_REVERSE)
        ),
        migrations.RunPython(add_periodic_tasks, remove_periodic_tasks),
    ]
