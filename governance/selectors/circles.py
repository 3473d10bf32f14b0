"""Reads of circles, their seats and their coordinators."""

import datetime

from django.db.models import Count, Q, QuerySet

from meetcoop.core.db import among
from meetcoop.core.roles import is_coop_admin
from membership.selectors import members_of_user

from ..models import Circle, CircleRole


def seats_on(on: datetime.date) -> Q:
    """A filter for seats held on ``on`` (start on or before, no end or end on or after)."""
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def circles_coordinated_by(user, *, on: datetime.date) -> QuerySet[Circle]:
    """Circles in which one of ``user``'s members is coordinator on ``on``."""
    if not getattr(user, "is_authenticated", False):
        return Circle.objects.none()
    seats = CircleRole.objects.filter(
        seats_on(on), role=CircleRole.Role.COORDINATOR, member__in=members_of_user(user)
    )
    return Circle.objects.filter(pk__in=seats.values("circle_id"))


# --- roles -----------------------------------------------------------------------------------


def is_coordinator_of(user, circle, *, on: datetime.date) -> bool:
    return circles_coordinated_by(user, on=on).filter(pk=circle.pk).exists()


def is_any_coordinator(user, *, on: datetime.date) -> bool:
    return circles_coordinated_by(user, on=on).exists()


def can_manage_circle(user, circle, *, on: datetime.date) -> bool:
    return is_coop_admin(user) or is_coordinator_of(user, circle, on=on)


# --- circles ---------------------------------------------------------------------------------


def circle_list(*, on: datetime.date) -> QuerySet[Circle]:
    return Circle.objects.annotate(
        seat_count=Count("roles", filter=seats_on_prefixed("roles__", on)),
    ).order_by("name")


def seat_days_ahead(member_ids, *, on: datetime.date) -> dict[int, datetime.date]:
    """For each of the members ``member_ids`` (a queryset of ids) with one, the first day
    after ``on`` on which the seats it holds change by time alone: one starts, or the day
    after one ends. One query over the seats dated ahead (few)."""
    after = on + datetime.timedelta(days=1)
    firsts: dict[int, datetime.date] = {}
    rows = (
        CircleRole.objects.filter(among("member_id", member_ids))
        .filter(Q(started_on__gt=on) | Q(ended_on__gte=on))
        .order_by()
        .values_list("member_id", "started_on", "ended_on")
    )
    for member_id, started_on, ended_on in rows:
        for day in (started_on, ended_on and ended_on + datetime.timedelta(days=1)):
            if day and day >= after and day < firsts.get(member_id, datetime.date.max):
                firsts[member_id] = day
    return firsts


def seats_on_prefixed(prefix: str, on: datetime.date) -> Q:
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    )


def circle_seats(circle, *, on: datetime.date, current_only: bool = True) -> QuerySet[CircleRole]:
    seats = circle.roles.select_related("member")
    if current_only:
        seats = seats.filter(seats_on(on))
    return seats.order_by("role", "member__name")
