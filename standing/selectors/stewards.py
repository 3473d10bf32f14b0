"""Whether each steward takes applications, and which stewards have room instead.

A steward takes applications only while all hold (docs/domain.md, "Who may resell"):

1. it is accepting applications (the manual switch, ``Steward.accepting_applications``);
2. a reseller: it belongs to a member whose operational membership is ``active`` (a reseller
   linked to no member, saved before the rule, takes none until it is linked);
3. a reseller: none of its revenue reports or share payments is overdue by more than the
   ``reseller_report_grace_days`` of the policy in force on the day (on the last day of grace
   it is still open; the day after, it is closed).

The facts live in three apps (resellers, membership, contributions), so the answer is read
here, above all of them; the public steward pages are served from here for that reason.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from contributions.selectors.revenue import resellers_overdue_past_grace
from meetcoop.core.errors import DomainError
from membership.models import Membership
from membership.selectors import policy_in_force
from resellers.availability import (
    CLOSED_BY_HAND,
    MEMBERSHIP_NOT_ACTIVE,
    NO_OPERATIONAL_MEMBER,
    REPORTS_OVERDUE,
)
from resellers.models import Steward
from resellers.selectors import offers_with_room


@dataclass(frozen=True)
class Availability:
    """Whether a steward takes applications; when not, a reason code of
    ``resellers.availability`` (worded there for the public and for the steward's admins)."""

    taking: bool
    reason: str | None = None
    grace_days: int = 0


def stewards_availability(
    stewards: Iterable[Steward], *, on: datetime.date
) -> dict[int, Availability]:
    """{steward id: Availability} on ``on`` for ``stewards`` (rows), in at most five queries
    whatever their number."""
    stewards = list(stewards)
    try:
        grace = policy_in_force(on=on).reseller_report_grace_days
    except DomainError:  # no policy yet: no revenue report can be due either
        grace = None
    resellers = [s for s in stewards if s.kind == Steward.Kind.RESELLER]
    member_ids = {s.member_id for s in resellers if s.member_id}
    active = (
        set(
            Membership.objects.filter(
                member_id__in=member_ids,
                type=Membership.Type.OPERATIONAL,
                status=Membership.Status.ACTIVE,
            ).values_list("member_id", flat=True)
        )
        if member_ids
        else set()
    )
    checked = [s.pk for s in resellers if s.member_id in active and s.accepting_applications]
    overdue = set()
    if grace is not None:
        overdue = resellers_overdue_past_grace(checked, on=on, grace_days=grace)
    result = {}
    for steward in stewards:
        if not steward.accepting_applications:
            reason = CLOSED_BY_HAND
        elif steward.kind != Steward.Kind.RESELLER:
            reason = None
        elif steward.member_id is None:
            # A reseller saved before the rule (the admin now refuses to save one unlinked)
            # takes no applications until it is linked to an operational member.
            reason = NO_OPERATIONAL_MEMBER
        elif steward.member_id not in active:
            reason = MEMBERSHIP_NOT_ACTIVE
        elif steward.pk in overdue:
            reason = REPORTS_OVERDUE
        else:
            reason = None
        result[steward.pk] = Availability(reason is None, reason, grace or 0)
    return result


def stewards_taking(stewards: Iterable[Steward], *, on: datetime.date) -> list[Steward]:
    """Those of ``stewards`` that take applications on ``on`` (same queries as
    ``stewards_availability``)."""
    stewards = list(stewards)
    available = stewards_availability(stewards, on=on)
    return [s for s in stewards if available[s.pk].taking]


def stewards_taking_with_room(*, steward: Steward, on: datetime.date) -> list[dict]:
    """The other stewards that take applications and have a free place at one of the levels
    ``steward`` offers: ``[{"steward": s, "levels": [level, ...]}]``, in list order."""
    offers = list(
        offers_with_room()
        .filter(service_level__offers__steward=steward, free__gt=0)
        .exclude(steward=steward)
        .select_related("steward", "service_level")
        .order_by("steward__kind", "steward__name", "service_level__position")
    )
    availability = stewards_availability({o.steward for o in offers}, on=on)
    rooms: dict[int, dict] = {}
    for offer in offers:
        if availability[offer.steward_id].taking:
            entry = rooms.setdefault(offer.steward_id, {"steward": offer.steward, "levels": []})
            entry["levels"].append(offer.service_level)
    return list(rooms.values())
