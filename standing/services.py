"""Writes of the standing app: the status recompute, which brings every app's facts to the
membership app's status writer."""

import datetime
import logging
import time
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core import phases
from meetcoop.core.audit import audit_log
from meetcoop.core.db import commit_mark, committed_since, gc_paused, in_ids
from meetcoop.core.locks import try_lock
from membership.models import Membership, StatusChange, StatusRun
from membership.services import (
    STATUS_LOCK,
    next_checks_write,
    reasons_text,
    status_changes_write,
    status_decisions,
)

from .selectors import status_evaluate, status_facts, status_facts_of_ids
from .selectors.plan import MARGIN, changed_meanwhile

logger = logging.getLogger(__name__)

MOVABLE = [Membership.Status.ACTIVE, Membership.Status.LAPSED]
# Runs a person started are audited with who started them (the nightly one is in the runs).
AUDITED_SOURCES = {StatusChange.Source.ON_DEMAND, StatusChange.Source.COMMAND}
# The ids of at most this many memberships of an on-demand run are written to its audit entry
# (the count stands for the rest).
AUDITED_IDS = 1000
# The rules are applied to this many memberships at a time (by ranges of ids): the run keeps
# the facts of the co-op (a few numbers per membership) and what it decided for the
# memberships that move or may be warned (a few strings each), never every evaluation.
SLICE = 50_000


def _dead_runs_failed() -> int:
    """Mark failed the runs still "running". Called while holding the lock, which a live run
    would hold: such a run's process died (killed, out of memory, the machine restarted).
    Its changes were never committed: a run's changes and its "finished" are one
    transaction."""
    now = timezone.now()
    failed = StatusRun.objects.filter(state=StatusRun.State.RUNNING).update(
        state=StatusRun.State.FAILED,
        finished_at=now,
        error=_(
            "The process stopped before it finished; nothing of it was written. "
            "(Found by the next run, at %(at)s.)"
        )
        % {"at": now.isoformat(timespec="seconds")},
    )
    if failed:
        logger.warning("Status recompute: %s run(s) left running by a dead process failed.", failed)
    return failed


def _finish(run, *, evaluated, became_active, lapsed, clock):
    run.state = StatusRun.State.FINISHED
    run.evaluated = evaluated
    run.became_active = became_active
    run.lapsed = lapsed
    run.unchanged = evaluated - became_active - lapsed
    run.finished_at = timezone.now()
    run.seconds = Decimal(f"{time.perf_counter() - clock:.3f}")
    run.save()


def _audit(run, *, actor, selection):
    """An on-demand or command run: who started it, for which memberships, what it did."""
    if run.source not in AUDITED_SOURCES:
        return
    data = {
        "source": run.source,
        "state": run.state,
        "on": run.on.isoformat(),
        "dry_run": run.dry_run,
        "evaluated": run.evaluated,
        "became_active": run.became_active,
        "lapsed": run.lapsed,
    }
    if selection is not None:
        data["selected"] = selection.count()
        data["memberships"] = list(
            selection.order_by("pk").values_list("pk", flat=True)[:AUDITED_IDS]
        )
    if run.error:
        data["error"] = run.error
    audit_log(actor=actor, action="standing.status.recomputed", obj=run, data=data)


def _id_slices(memberships):
    """Ranges [first, past) of ids that cut ``memberships`` into slices of at most ``SLICE``."""
    size = SLICE
    bounds = memberships.order_by().aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return
    for first in range(bounds["first"], bounds["last"] + 1, size):
        yield first, first + size


def _evaluations(memberships, *, on, parallel=None, ids=None, whole=False):
    """Yield the evaluations of ``memberships``, a slice of at most ``SLICE`` at a time, their
    facts gathered once. With ``ids`` (the few a usual night names, or those a run evaluates
    again), only the memberships among them: their facts are asked for by their ids, and
    the slices are runs of those ids. Without, every membership of the queryset: the facts
    joined to it, the slices ranges of ids. ``whole``: the queryset is every active or
    lapsed membership, whose facts are those of the whole co-op: gathered with no join to
    the memberships at all (the facts of an ended one are read, and never looked up),
    which spares PostgreSQL a join of a million rows per fact."""
    if ids is None:
        with phases.phase("facts"):
            facts = status_facts(
                Membership.objects.all() if whole else memberships, on=on, parallel=parallel
            )
        for first, past in _id_slices(memberships):
            yield status_evaluate(
                memberships.filter(pk__gte=first, pk__lt=past),
                on=on,
                parallel=parallel,
                facts=facts,
            )
        return
    if not ids:
        return
    ids = sorted(ids)
    with phases.phase("facts"):
        facts = status_facts_of_ids(memberships, ids, on=on, parallel=parallel)
    for start in range(0, len(ids), SLICE):
        yield status_evaluate(
            memberships.filter(in_ids("pk", ids[start : start + SLICE])),
            on=on,
            parallel=parallel,
            facts=facts,
        )


def _evaluate_in_slices(
    memberships, *, on, as_text, keep: bool, parallel=None, schedule=False, ids=None, whole=False
):
    """Evaluate ``memberships`` (those among ``ids``, if given: ``_evaluations``): their facts
    gathered once, the rules applied a slice at a time. Returns (how many were evaluated,
    the decisions, every evaluation if ``keep``). ``schedule``: store the next checks that
    changed (``next_checks_write``) as each slice is done, for the nightly plan; a run that
    fails after it is followed by a full run."""
    count, decisions, kept = 0, [], [] if keep else None
    for part in _evaluations(memberships, on=on, parallel=parallel, ids=ids, whole=whole):
        count += len(part)
        with phases.phase("decisions"):
            decisions.extend(status_decisions(part, as_text))
        if schedule:
            with phases.phase("next checks"):
                # A membership that moves is checked again the next day, and the write
                # that moves it stores that (``status_changes_write``); one that does not
                # move after all was changed meanwhile, and so is marked for the next night.
                rescheduled = [e for e in part if not e.changes and e.next_check != e.stored_check]
                next_checks_write([(e.membership_id, e.next_check) for e in rescheduled])
        if kept is not None:
            kept.extend(part)
    return count, decisions, kept


def status_recompute(
    *,
    on: datetime.date,
    source: str = "nightly",
    actor=None,
    dry_run: bool = False,
    memberships=None,
    keep_evaluations: bool = True,
    plan=None,
):
    """Recompute active/lapsed for the memberships (all active and lapsed ones by default;
    with ``plan``, a ``standing.selectors.plan.NightlyPlan``, those it names, its scope and
    its words kept on the run). Unless ``dry_run``, each evaluated membership's next check
    is stored for the nightly plan.

    Returns ``(run, evaluations)``; the evaluations only with ``keep_evaluations`` (else an
    empty list: the nightly task, which must not hold a million of them). ``source`` is how
    the run was started (nightly, on demand, command) and ``actor`` the person who started
    it, if one did: both are kept on the run, and an on-demand or command run is audited
    with them.

    The facts are gathered once (one aggregate per fact for the whole selection) and the
    rules applied ``SLICE`` memberships at a time; the run keeps only what it decided for
    those that move or may be warned.

    One run works at a time: a second one started meanwhile is recorded as skipped and
    returns at once; a run found still "running" by the run holding the lock died, and is
    marked failed. The memberships are evaluated first, outside any transaction; then, in one
    transaction, those about to move or be warned are locked; those whose facts were written
    during the evaluation (``changed_meanwhile``: marked, or of a type rechecked) are
    evaluated again with the facts as they are then (a payment committed during the
    evaluation counts), and the changes, the warnings and the run's end are written.
    A usual night's plan names its memberships by id (``plan.ids``): their facts are then
    asked for by those ids (``_evaluations``). A run that dies leaves nothing
    half-applied, and a second run on the same day finds nothing left to change.
    """
    selection = memberships
    # Every active or lapsed membership: the facts of the whole co-op are read.
    whole = memberships is None and (plan is None or plan.scope == StatusRun.Scope.FULL)
    if plan is not None:  # the nightly run: what it evaluates, and why (selectors.plan)
        memberships = plan.memberships
    elif memberships is None:
        memberships = Membership.objects.filter(status__in=MOVABLE)
    # Inside a caller's transaction (a test) other connections can't see its rows.
    alone = connection.in_atomic_block
    with try_lock(STATUS_LOCK) as acquired:
        if not acquired:
            run = StatusRun.objects.create(
                on=on,
                source=source,
                started_by=actor,
                dry_run=dry_run,
                state=StatusRun.State.SKIPPED,
                finished_at=timezone.now(),
                seconds=0,
            )
            _audit(run, actor=actor, selection=selection)
            return run, []
        _dead_runs_failed()
        run = StatusRun.objects.create(
            on=on,
            source=source,
            started_by=actor,
            dry_run=dry_run,
            state=StatusRun.State.RUNNING,
            scope=plan.scope if plan is not None else StatusRun.Scope.FULL,
            plan=plan.why if plan is not None else "",
        )
        clock = time.perf_counter()
        mark = commit_mark()

        as_text = reasons_text()
        again: dict[int, object] = {}  # the evaluations made again, kept for the caller
        decided: dict[int, object] = {}  # the run's decisions by membership, for refresh

        def refresh(locked):
            """The memberships ``locked`` (the writer's ``Locked`` rows) as they stand now, {id:
            Decision or None}: those whose facts changed since the run began evaluated
            again, with the facts as they are now; the others keep what the run decided.
            None when nobody committed anything since the evaluation began."""
            if not committed_since(mark):
                return None
            # A mark stamped a little before the run began may be of a transaction that
            # committed after the run read its facts: MARGIN, as the nightly plan reads it.
            still, changed = changed_meanwhile(locked, since=run.started_at - MARGIN)
            logger.info(
                "Status recompute: something was committed meanwhile; of the %s memberships "
                "about to move or be warned, %s may have changed and are evaluated again.",
                len(locked),
                len(changed),
            )
            fresh: dict = {pk: decided.get(pk) for pk in still}
            movable = Membership.objects.filter(status__in=MOVABLE)
            for part in _evaluations(movable, on=on, parallel=not alone, ids=changed):
                fresh.update((e.membership_id, None) for e in part)
                fresh.update((d.membership_id, d) for d in status_decisions(part, as_text))
                if keep_evaluations:
                    again.update((e.membership_id, e) for e in part)
            return fresh

        try:
            with gc_paused(), phases.phase("evaluation"):
                evaluated, decisions, evaluations = _evaluate_in_slices(
                    memberships,
                    on=on,
                    as_text=as_text,
                    keep=keep_evaluations,
                    schedule=not dry_run,
                    ids=plan.ids if plan is not None else None,
                    whole=whole,
                )
            if dry_run:
                moved = [d for d in decisions if d.changes]
                became_active = sum(1 for d in moved if d.new_status == "active")
                _finish(
                    run,
                    evaluated=evaluated,
                    became_active=became_active,
                    lapsed=len(moved) - became_active,
                    clock=clock,
                )
                _audit(run, actor=actor, selection=selection)
            else:
                decided.update((d.membership_id, d) for d in decisions)
                with gc_paused(), transaction.atomic():
                    write = status_changes_write(
                        decisions=decisions,
                        on=on,
                        source=source,
                        actor=actor,
                        run=run,
                        refresh=refresh,
                    )
                    del decisions
                    decided.clear()
                    _finish(
                        run,
                        evaluated=evaluated - len(write.gone),
                        became_active=sum(
                            1 for _pk, _old, new, _r in write.written if new == "active"
                        ),
                        lapsed=sum(1 for _pk, _old, new, _r in write.written if new == "lapsed"),
                        clock=clock,
                    )
                    _audit(run, actor=actor, selection=selection)
                    committing = time.perf_counter()
                phases.record("commit", time.perf_counter() - committing)
                if evaluations is not None:
                    evaluations = [
                        again.get(e.membership_id, e)
                        for e in evaluations
                        if e.membership_id not in write.gone
                    ]
        except Exception as exc:
            run.state = StatusRun.State.FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            run.seconds = Decimal(f"{time.perf_counter() - clock:.3f}")
            run.save()
            _audit(run, actor=actor, selection=selection)
            raise
        if evaluations is None:
            evaluations = []
        if not dry_run:
            # The time of the commit (the history's foreign-key checks) counts too.
            run.seconds = Decimal(f"{time.perf_counter() - clock:.3f}")
            StatusRun.objects.filter(pk=run.pk).update(seconds=run.seconds)
    return run, evaluations


def steward_availability_check(*, on: datetime.date) -> int:
    """Read whether every steward takes applications on ``on`` and have its admins told of
    each change (``resellers.services.steward_availability_notify`` tells each change once).
    Returns how many stewards' admins were told."""
    from resellers.models import Steward
    from resellers.services import steward_availability_notify

    from .selectors.stewards import stewards_availability

    told = 0
    availability = stewards_availability(Steward.objects.all(), on=on)
    for steward_id, state in availability.items():
        told += steward_availability_notify(
            steward_id=steward_id,
            taking=state.taking,
            reason=state.reason,
            grace_days=state.grace_days,
        )
    return told


# Importing the co-op's existing records (issue 16): ``standing.imports``.
# A former member's erasure has its own module; callers import it from here.
from .erasure import erasure_confirm, erasure_refuse  # noqa: E402, F401
from .imports.service import ImportResult, coop_import  # noqa: E402, F401
