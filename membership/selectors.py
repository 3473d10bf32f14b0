"""Reads of the membership app."""

import datetime

from django.utils.translation import gettext as _

from .models import Policy


class PolicyMissing(Exception):
    """No policy is in force on the asked date."""


def policy_in_force(*, on: datetime.date) -> Policy:
    """The policy whose ``effective_from`` is the latest one on or before ``on``."""
    policy = Policy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        raise PolicyMissing(_("No policy is in force on %(date)s.") % {"date": on.isoformat()})
    return policy


def policies_by_date(dates) -> dict[datetime.date, Policy]:
    """The policy in force on each of ``dates``, in one query (for bulk jobs)."""
    policies = list(Policy.objects.order_by("effective_from"))
    result = {}
    for day in set(dates):
        chosen = None
        for policy in policies:
            if policy.effective_from <= day:
                chosen = policy
            else:
                break
        if chosen is None:
            raise PolicyMissing(_("No policy is in force on %(date)s.") % {"date": day.isoformat()})
        result[day] = chosen
    return result
