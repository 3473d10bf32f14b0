"""Policies: the dated numbers every rule reads."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError

from ..models import Policy


def policy_create(*, actor, effective_from: datetime.date, **values) -> Policy:
    """Add a policy. It may not start in the past: people already bound keep their numbers."""
    if effective_from < timezone.localdate() and Policy.objects.exists():
        raise DomainError(
            _("A new policy can't start in the past; choose today or a later date."),
            field="effective_from",
        )
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
