from celery import shared_task
from django.utils import timezone

from .discourse.tasks import discourse_sync  # noqa: F401  (registered for the workers)


@shared_task
def recompute_status_nightly(full: bool = False) -> dict:
    """The nightly recompute: only the memberships that may have changed since the last run
    (``standing.selectors.plan``), or all of them with ``full`` (the weekly run, scheduled as
    ``recompute_status_weekly``). Safe to run twice: the second finds nothing to change, and
    a concurrent one is skipped by the lock."""
    from .selectors.plan import nightly_plan
    from .services import status_recompute

    on = timezone.localdate()
    run, _evaluations = status_recompute(
        on=on,
        source="nightly",
        keep_evaluations=False,
        plan=nightly_plan(on=on, full=full),
    )
    return {
        "run": run.pk,
        "state": run.state,
        "scope": run.scope,
        "evaluated": run.evaluated,
        "lapsed": run.lapsed,
        "active": run.became_active,
    }


@shared_task
def recompute_status_weekly() -> dict:
    """The weekly full recompute: every active and lapsed membership, whatever changed. The
    safety net of the nightly runs, which read only what may have changed."""
    return recompute_status_nightly(full=True)


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
