"""The marks the nightly job reads to evaluate only what may have changed since its last run.

The contract (docs/nightly-job.md, "A usual night"): whatever writes a fact the status rules
read marks it here, in the same transaction as the write.

- ``facts_changed``: something of these members or memberships changed (a ledger entry, an
  invoice or a payment, an attendance, a seat, an accepted terms version, the membership
  itself). Their memberships are evaluated on the next night.
- ``everyone_recheck``: something every membership reads changed (a policy, a terms
  version, a meeting, a steward). The next night evaluates every membership.

Saving or deleting one row of those models marks it through ``standing.receivers``; a
service that writes many rows at once with ``bulk_create`` or ``update`` (which send no
signal) calls these itself, once for all of them. The weekly full run is the safety net for
a write that forgot. A service that saves many rows one by one (a bank statement's payments)
wraps them in ``facts_changed_together``: their marks are then written once, at its end.
"""

import threading
from contextlib import contextmanager

from django.db.models import Q
from django.utils import timezone

from meetcoop.core.db import in_ids

from ..models import Membership, StatusRecheck


def facts_changed(*, member_ids=(), membership_ids=()) -> int:
    """Mark the memberships of ``member_ids`` and the memberships ``membership_ids`` (ids,
    or querysets of ids) as changed now: one UPDATE, whatever their number."""
    condition = Q()
    if isinstance(member_ids, (list, tuple, set, frozenset)):
        if member_ids:
            condition |= in_ids("member_id", list(member_ids))
    else:
        condition |= Q(member_id__in=member_ids)
    if isinstance(membership_ids, (list, tuple, set, frozenset)):
        if membership_ids:
            condition |= in_ids("pk", list(membership_ids))
    else:
        condition |= Q(pk__in=membership_ids)
    if not condition:
        return 0
    return Membership.objects.filter(condition).update(facts_changed_at=timezone.now())


def everyone_recheck(*, reason: str, type: str = "") -> StatusRecheck:  # noqa: A002
    """Have the next nightly run evaluate every membership (or every one of ``type``), for
    ``reason`` (kept with it)."""
    return StatusRecheck.objects.create(reason=reason[:200], type=type)


_pending = threading.local()


@contextmanager
def facts_changed_together():
    """Inside (and inside the caller's transaction), the marks of the rows saved one by one
    are gathered (``facts_changed_later``) and written at the end, one UPDATE per kind of
    row, instead of one per row. Nested, the outermost writes them. An exception inside
    writes none: the caller's transaction rolls back what they marked."""
    if getattr(_pending, "marks", None) is not None:
        yield
        return
    _pending.marks = {}
    try:
        yield
        marks = _pending.marks
    finally:
        _pending.marks = None
    for resolve, ids in marks.items():
        facts_changed(**resolve(sorted(ids)))


def facts_changed_later(resolve, ids) -> bool:
    """Inside ``facts_changed_together``, keep ``ids`` to mark at its end, where
    ``resolve(ids)`` gives ``facts_changed``'s arguments; True. Outside, False: the caller
    marks them now (``facts_changed(**resolve(ids))``)."""
    marks = getattr(_pending, "marks", None)
    if marks is None:
        return False
    marks.setdefault(resolve, set()).update(ids)
    return True
