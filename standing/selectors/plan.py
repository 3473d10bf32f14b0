"""What a nightly run evaluates: every membership, or only those that may have changed since
the last run (docs/nightly-job.md, "A usual night")."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Meeting
from meetcoop.core.db import in_ids
from membership import rules
from membership.models import (
    Membership,
    Policy,
    StatusChange,
    StatusRecheck,
    StatusRun,
    TermsVersion,
)
from resellers.models import Steward

MOVABLE = [Membership.Status.ACTIVE, Membership.Status.LAPSED]
# A mark stamped this long before the last run started may belong to a transaction that run
# could not see yet (stamped at the write, committed later): it is read again.
MARGIN = datetime.timedelta(minutes=30)


@dataclass
class NightlyPlan:
    scope: str  # StatusRun.Scope
    memberships: QuerySet  # what the run evaluates
    why: str  # in words an admin reads on the run
    # Their ids, when the run evaluates only some: it then names them in its fact queries.
    ids: list | None = None


def _last_run():
    return (
        StatusRun.objects.filter(source=StatusChange.Source.NIGHTLY, dry_run=False)
        .exclude(state=StatusRun.State.SKIPPED)
        .exclude(state=StatusRun.State.RUNNING)
        .order_by("-started_at", "-pk")
        .first()
    )


def type_days(*, after: datetime.date, through: datetime.date) -> dict[str, list[str]]:
    """What every membership of a type reads that time alone changes between the day after
    ``after`` and ``through``: {"": policies taking effect, "user": terms versions published
    or past their acceptance period, "operational": meetings coming within the at-risk days,
    held, coming within the at-risk days of leaving the attendance window, or leaving it}.
    Each as the words of the run's plan."""
    found: dict[str, list[str]] = {
        "": [],
        Membership.Type.USER: [],
        Membership.Type.OPERATIONAL: [],
    }

    def inside(day):
        return after < day <= through

    policies = list(Policy.objects.order_by("effective_from"))
    for policy in policies:
        if inside(policy.effective_from):
            found[""].append(_("a policy takes effect on %(day)s") % {"day": policy.effective_from})
    acceptance = {policy.terms_acceptance_days for policy in policies}
    windows = {policy.attendance_window_days for policy in policies}
    for published_at in TermsVersion.objects.values_list("published_at", flat=True):
        day = timezone.localdate(published_at)
        if any(
            inside(day + datetime.timedelta(days=shift))
            # Read from the day after its publication; lapsing the day after its period.
            for shift in {1, *(a for a in acceptance), *(a + 1 for a in acceptance)}
        ):
            found[Membership.Type.USER].append(
                _("a terms version published on %(day)s is due or overdue") % {"day": day}
            )
    widest = max(windows, default=0) + 1
    held = (
        Meeting.objects.filter(
            held_on__gt=after - datetime.timedelta(days=widest),
            held_on__lte=through + datetime.timedelta(days=rules.AT_RISK_DAYS),
        )
        .order_by()
        .values_list("held_on", flat=True)
        .distinct()
    )
    # A meeting is "near" from AT_RISK_DAYS before it through its day, counts in the window
    # from the day after it, comes within AT_RISK_DAYS of leaving it (those who attended it
    # may be warned), and leaves the window ``w`` days later.
    shifts = {
        -rules.AT_RISK_DAYS,
        1,
        *(w - rules.AT_RISK_DAYS for w in windows),
        *(w + 1 for w in windows),
    }
    for day in sorted(set(held)):
        if any(inside(day + datetime.timedelta(days=shift)) for shift in shifts):
            found[Membership.Type.OPERATIONAL].append(
                _("a meeting of %(day)s comes near, is held or leaves the window") % {"day": day}
            )
    return found


def nightly_plan(*, on: datetime.date, full: bool = False) -> NightlyPlan:
    """The memberships the nightly run of ``on`` evaluates, and why.

    Every active or lapsed membership when ``full`` (the weekly run), when no nightly run has
    finished before, when the last one failed or was for a later day, or when something every
    membership reads changed (a policy, or both types' rechecks). Otherwise only those:

    - whose facts changed since the last run began (``facts_changed_at``, less ``MARGIN``);
    - whose next check (``next_check_on``) has come, or that were never evaluated;
    - of a type whose shared facts changed (``StatusRecheck``) or whose shared days come
      (``type_days``: a terms deadline, a meeting entering or leaving the window);
    - of members that run a reseller (their quarters fall due on the calendar).
    """
    movable = Membership.objects.filter(status__in=MOVABLE)
    if full:
        return NightlyPlan(StatusRun.Scope.FULL, movable, _("The weekly full run."))
    last = _last_run()
    if last is None:
        return NightlyPlan(StatusRun.Scope.FULL, movable, _("No nightly run finished before."))
    if last.state != StatusRun.State.FINISHED:
        return NightlyPlan(StatusRun.Scope.FULL, movable, _("The last nightly run did not finish."))
    if last.on > on:
        return NightlyPlan(
            StatusRun.Scope.FULL, movable, _("The last nightly run was for a later day.")
        )
    since = last.started_at - MARGIN
    reasons = type_days(after=last.on, through=on)
    types = {kind for kind, said in reasons.items() if said}
    for kind, reason in StatusRecheck.objects.filter(created_at__gte=since).values_list(
        "type", "reason"
    ):
        types.add(kind)
        reasons.setdefault(kind, []).append(reason)
    if "" in types or {Membership.Type.USER, Membership.Type.OPERATIONAL} <= types:
        said = "; ".join(r for kind in sorted(types) for r in reasons.get(kind, []))
        return NightlyPlan(
            StatusRun.Scope.FULL,
            movable,
            _("Something every membership reads changed: %(what)s.") % {"what": said},
        )
    resellers = Steward.objects.filter(kind=Steward.Kind.RESELLER, member__isnull=False)
    selected = movable.filter(
        Q(type__in=types)
        | Q(next_check_on__isnull=True)
        | Q(next_check_on__lte=on)
        | Q(facts_changed_at__gte=since)
        | Q(member_id__in=resellers.values("member_id"))
    )
    # Read once, as ids: the facts are then gathered for these few by their indexes, where a
    # subquery repeating the conditions above lets the planner scan every fact table.
    ids = list(selected.order_by().values_list("pk", flat=True))
    selected = movable.filter(in_ids("pk", ids))
    words = _(
        "Only the memberships that may have changed since the nightly run for %(day)s: "
        "their facts changed, their next check came, or they run a reseller."
    ) % {"day": last.on}
    if Membership.Type.USER in types:
        words += " " + _("Every user membership: %(what)s.") % {
            "what": "; ".join(reasons[Membership.Type.USER])
        }
    if Membership.Type.OPERATIONAL in types:
        words += " " + _("Every operational membership: %(what)s.") % {
            "what": "; ".join(reasons[Membership.Type.OPERATIONAL])
        }
    return NightlyPlan(StatusRun.Scope.CHANGED, selected, words, ids)


def changed_meanwhile(locked, *, since: datetime.datetime) -> tuple[set[int], list[int]]:
    """Of the memberships ``locked`` (``membership.services.status.Locked`` rows, read as the
    status writer locked them): those still active or lapsed, and, among them, those whose
    facts may have changed since ``since``: marked (``facts_changed_at``), or of a type
    whose shared facts changed (``StatusRecheck``; every one after a policy's change).

    The status job asks this under lock, when something was committed while it evaluated:
    only these need evaluating again, what it decided for the others stands. The rows are
    those the lock read: no second read of the memberships."""
    types = set(StatusRecheck.objects.filter(created_at__gte=since).values_list("type", flat=True))
    every = "" in types
    still: set[int] = set()
    again: list[int] = []
    for pk, type_, status, marked in locked:
        if status not in MOVABLE:
            continue
        still.add(pk)
        if every or type_ in types or (marked is not None and marked >= since):
            again.append(pk)
    return still, again
