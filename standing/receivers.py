"""What standing does when something it reads changes elsewhere."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from .selectors.dashboard import NIGHTLY_SCHEDULE_CACHE


@receiver([post_save, post_delete], sender=PeriodicTask, dispatch_uid="standing.schedule.task")
@receiver([post_save, post_delete], sender=CrontabSchedule, dispatch_uid="standing.schedule.cron")
def forget_nightly_schedule(sender, **kwargs):
    """The nightly job's schedule changed in the admin: /me/ reads it anew."""
    cache.delete(NIGHTLY_SCHEDULE_CACHE)
