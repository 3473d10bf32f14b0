"""The nightly status recompute is now ``standing.tasks.recompute_status_nightly`` (the
status engine moved to the standing app). The schedule row keeps its name, time and state."""

from django.db import migrations

OLD = "membership.tasks.recompute_status_nightly"
NEW = "standing.tasks.recompute_status_nightly"


def forward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=OLD).update(task=NEW)


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=NEW).update(task=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0004_nightly_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
