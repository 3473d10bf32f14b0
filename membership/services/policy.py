"""Policies: the dated numbers every rule reads.

A policy in force (its ``effective_from`` has come) binds people already: it is never changed
or deleted, a change is a newer policy. A policy not yet in force may still be corrected or
withdrawn. No new policy starts in the past or today (the first one may).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log, audited_delete, audited_update
from meetcoop.core.errors import DomainError

from ..models import Policy

# What a person sets; ``created_at`` and ``created_by`` are the service's.
POLICY_VALUES = frozenset(
    field.name
    for field in Policy._meta.concrete_fields
    if field.editable and field.name not in {"id", "created_at", "created_by"}
)


def _refuse_past_start(effective_from: datetime.date) -> None:
    """A new policy starts tomorrow at the earliest: someone who applied earlier today is
    bound by the policy in force today (its commitment is that of the application's day), and
    a policy starting today would take its place for them."""
    if effective_from <= timezone.localdate():
        raise DomainError(
            _(
                "A new policy starts tomorrow at the earliest: whoever applied today stays "
                "bound by the policy in force today. Choose a later date."
            ),
            field="effective_from",
        )


def _refuse_in_force(policy: Policy) -> None:
    if policy.effective_from <= timezone.localdate():
        raise DomainError(
            _(
                "This policy is in force and binds people already: it can't be changed or "
                "deleted. Add a newer policy instead."
            ),
            code="policy_in_force",
        )


def policy_create(*, actor, effective_from: datetime.date, **values) -> Policy:
    """Add a policy. It starts tomorrow at the earliest (the first policy of a co-op may start
    on any day): people already bound keep their numbers."""
    if Policy.objects.exists():
        _refuse_past_start(effective_from)
    with transaction.atomic():
        policy = Policy(effective_from=effective_from, created_by=actor, **values)
        policy.full_clean()
        policy.save()
        audit_log(
            actor=actor,
            action="membership.policy.created",
            obj=policy,
            data={"effective_from": effective_from.isoformat()},
        )
    return policy


def policy_update(*, policy: Policy, actor, **values) -> Policy:
    """Correct a policy that is not in force yet. It still may not start in the past.
    Setting the values it already has changes nothing and writes no audit entry."""
    unknown = set(values) - POLICY_VALUES
    if unknown:
        raise TypeError(f"policy_update() got unexpected values: {sorted(unknown)}")
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        _refuse_in_force(locked)
        if "effective_from" in values:
            _refuse_past_start(values["effective_from"])
        audited_update(locked, values, actor=actor, action="membership.policy.changed")
    policy.refresh_from_db()
    return locked


def policy_delete(*, policy: Policy, actor) -> None:
    """Withdraw a policy that is not in force yet."""
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        _refuse_in_force(locked)
        audited_delete(
            locked,
            actor=actor,
            action="membership.policy.deleted",
            data={"effective_from": locked.effective_from.isoformat()},
        )
