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
a write that forgot.
"""

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
