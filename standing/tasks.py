from celery import shared_task
from django.utils import timezone

from .discourse.tasks import discourse_sync  # noqa: F401  (registered for the workers)


@shared_task
def recompute_status_nightly() -> dict:
    """The nightly recompute. Safe to run twice: the second finds nothing to change, and a
    concurrent one is skipped by the lock."""
    from .services import status_recompute

    run, _evaluations = status_recompute(
        on=timezone.localdate(), source="nightly", keep_evaluations=False
    )
    return {"run": run.pk, "state": run.state, "lapsed": run.lapsed, "active": run.became_active}


@shared_task
def steward_availability_nightly() -> dict:
    """Tell each steward's admins when it stopped, or started again, taking applications
    (scheduled after the status recompute). Safe to run twice: each change is told once."""
    from .services import steward_availability_check

    return {"told": steward_availability_check(on=timezone.localdate())}


@shared_task
def revoke_service_tokens(membership_ids: list[int]) -> dict:
    """Revoke the service tokens of the people of these memberships who may no longer sign in
    to a service (after their status changed). Safe to run twice: the second finds nothing
    live to revoke."""
    from .oidc.selectors import users_of_memberships
    from .oidc.services import tokens_revoke_refused

    return {"revoked": tokens_revoke_refused(user_ids=users_of_memberships(membership_ids))}
