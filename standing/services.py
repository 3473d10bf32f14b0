"""Writes of the standing app: the status recompute, which brings every app's facts to the
membership app's status writer."""

import datetime
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from meetcoop.core.db import gc_paused
from meetcoop.core.locks import try_lock
from membership.models import Membership, StatusRun
from membership.services import STATUS_LOCK, status_changes_write

from .selectors import status_evaluate


def status_recompute(
    *,
    on: datetime.date,
    source: str = "nightly",
    actor=None,
    dry_run: bool = False,
    memberships=None,
):
    """Recompute active/lapsed for the memberships (all active and lapsed ones by default).

    Returns ``(run, evaluations)``. One run works at a time: a second one started meanwhile is
    recorded as skipped and returns at once. All changes of a run are written in one
    transaction, so a run that dies leaves nothing half-applied, and a second run on the same
    day finds nothing left to change.
    """
    if memberships is None:
        memberships = Membership.objects.filter(
            status__in=[Membership.Status.ACTIVE, Membership.Status.LAPSED]
        )
    with try_lock(STATUS_LOCK) as acquired:
        if not acquired:
            run = StatusRun.objects.create(
                on=on,
                source=source,
                dry_run=dry_run,
                state=StatusRun.State.SKIPPED,
                finished_at=timezone.now(),
                seconds=0,
            )
            return run, []
        run = StatusRun.objects.create(
            on=on, source=source, dry_run=dry_run, state=StatusRun.State.RUNNING
        )
        clock = time.perf_counter()
        try:
            with gc_paused():
                evaluations = status_evaluate(memberships, on=on)
            changes = []
            if not dry_run:
                with gc_paused(), transaction.atomic():
                    changes = status_changes_write(
                        evaluations=evaluations, on=on, source=source, actor=actor, run=run
                    )
        except Exception as exc:
            run.state = StatusRun.State.FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            run.seconds = Decimal(f"{time.perf_counter() - clock:.3f}")
            run.save()
            raise
        if dry_run:
            moved = [e for e in evaluations if e.changes]
            became_active = sum(1 for e in moved if e.new_status == "active")
            lapsed = len(moved) - became_active
        else:
            became_active = sum(1 for _pk, _old, new, _r in changes if new == "active")
            lapsed = sum(1 for _pk, _old, new, _r in changes if new == "lapsed")
        run.state = StatusRun.State.FINISHED
        run.evaluated = len(evaluations)
        run.became_active = became_active
        run.lapsed = lapsed
        run.unchanged = len(evaluations) - became_active - lapsed
        run.finished_at = timezone.now()
        run.seconds = Decimal(f"{time.perf_counter() - clock:.3f}")
        run.save()
    return run, evaluations
