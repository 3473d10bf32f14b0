from celery import shared_task
from django.utils import timezone


@shared_task
def recompute_status_nightly() -> dict:
    """The nightly recompute. Safe to run twice: the second finds nothing to change, and a
    concurrent one is skipped by the lock."""
    from .services import status_recompute

    run, _evaluations = status_recompute(on=timezone.localdate(), source="nightly")
    return {"run": run.pk, "state": run.state, "lapsed": run.lapsed, "active": run.became_active}
