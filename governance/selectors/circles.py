"""Reads of circles, their seats and their coordinators."""

import datetime
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from meetcoop.core.db import among
from meetcoop.core.roles import is_coop_admin
from membership.models import Member, Membership
from membership.selectors import members_of_user

from ..models import Circle, CircleRole


def seats_on(on: datetime.date) -> Q:
    """A filter for seats held on ``on`` (start on or before, no end or end on or after)."""
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def _sitting_memberships() -> QuerySet[Membership]:
    """The memberships that let their member sit in a circle: operational, admitted and not
    ended (active, lapsed or suspended)."""
    return Membership.objects.filter(
        type=Membership.Type.OPERATIONAL, ended_on__isnull=True
    ).exclude(status=Membership.Status.PENDING)


def _may_sit(member_ref: str = "pk") -> Exists:
    """Whether the member (``member_ref``, a path to its id) holds a membership that lets it
    sit (``_sitting_memberships``)."""
    return Exists(_sitting_memberships().filter(member=OuterRef(member_ref)))


def members_who_may_sit() -> QuerySet[Member]:
    """The members who may be seated in a circle: those holding an admitted operational
    membership that has not ended. A customer (user membership only), an applicant not yet
    admitted and a member whose membership ended are not."""
    return Member.objects.filter(_may_sit())


def may_sit(member) -> bool:
    return members_who_may_sit().filter(pk=member.pk).exists()


def seat_first_day(member) -> datetime.date | None:
    """The first day ``member`` may hold a seat: the day its operational membership that may
    sit was admitted (the earliest, should it hold two). None when that day is not recorded
    (memberships older than the platform)."""
    return (
        _sitting_memberships()
        .filter(member=member, admitted_on__isnull=False)
        .order_by("admitted_on")
        .values_list("admitted_on", flat=True)
        .first()
    )


def circles_coordinated_by(user, *, on: datetime.date) -> QuerySet[Circle]:
    """Circles in which one of ``user``'s members is coordinator on ``on``. A seat gives no
    power to a member whose memberships have all ended (resigned, expelled) or that holds no
    admitted operational membership, even if nobody ended the seat; a member with no
    membership at all (data older than memberships) keeps it."""
    if not getattr(user, "is_authenticated", False):
        return Circle.objects.none()
    seats = CircleRole.objects.filter(
        seats_on(on), role=CircleRole.Role.COORDINATOR, member__in=members_of_user(user)
    ).filter(
        _may_sit("member_id") | ~Exists(Membership.objects.filter(member=OuterRef("member_id")))
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


class SeatsAhead(NamedTuple):
    """What ``seat_days_ahead`` reads of the seats dated ahead."""

    # {member id: the first day after ``on`` its seats change by time alone}
    firsts: dict[int, datetime.date]
    # {member id: the last day of its unbroken seating from ``on``, when within the warning
    # days}, as the dated seats read give it: a member also holding a seat with no end on
    # ``on`` (not read here) is seated beyond, and the caller leaves it out.
    ending: dict[int, datetime.date]


def seat_days_ahead(member_ids, *, on: datetime.date, warn_days: int = 0) -> SeatsAhead:
    """For each of the members ``member_ids`` (a queryset of ids) with one, the first day
    after ``on`` on which the seats it holds change by time alone: one starts, the day after
    one ends, or ``warn_days`` before one ends (the seating's end comes near). And, from the
    same rows, the members whose seating from ``on`` ends within ``warn_days`` (see
    ``SeatsAhead.ending``, and ``seated_through``). One query over the seats dated ahead
    (few)."""
    after = on + datetime.timedelta(days=1)
    warn = datetime.timedelta(days=warn_days)
    firsts: dict[int, datetime.date] = {}
    seats: dict[int, list] = {}
    near: set[int] = set()  # holding on ``on`` a seat whose end is within the warning days
    rows = (
        CircleRole.objects.filter(among("member_id", member_ids))
        .filter(Q(started_on__gt=on) | Q(ended_on__gte=on))
        .order_by()
        .values_list("member_id", "started_on", "ended_on")
    )
    for member_id, started_on, ended_on in rows:
        seats.setdefault(member_id, []).append((started_on, ended_on))
        if ended_on is not None and started_on <= on and ended_on - warn <= on:
            near.add(member_id)
        for day in (
            started_on,
            # A seat ending on the last day a computer counts (stored before dates were
            # bounded) has no day after: it never ends.
            ended_on and ended_on < datetime.date.max and ended_on + datetime.timedelta(days=1),
            warn_days and ended_on and ended_on - warn,
        ):
            if day and day >= after and day < firsts.get(member_id, datetime.date.max):
                firsts[member_id] = day
    ending = {}
    for member_id in near:
        last = seated_through(seats[member_id], on=on, days=warn_days)
        if last is not None:
            ending[member_id] = last
    return SeatsAhead(firsts, ending)


def seated_through(seats, *, on: datetime.date, days: int) -> datetime.date | None:
    """The last day of the unbroken seating from ``on`` that ``seats`` give ((started_on,
    ended_on) pairs, ``None`` for no end; a seat starting the day after another ends
    continues it), when that day is at most ``days`` after ``on``; None when the seating
    goes on beyond, or when none of ``seats`` is held on ``on``."""
    one_day = datetime.timedelta(days=1)
    horizon = on + datetime.timedelta(days=days)
    last = on - one_day
    for started_on, ended_on in sorted(seats, key=lambda seat: seat[0]):
        if started_on > last + one_day:
            break  # a day with no seat
        if ended_on is None or ended_on > horizon:
            return None
        last = max(last, ended_on)
    return last if last >= on else None


def seats_on_prefixed(prefix: str, on: datetime.date) -> Q:
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    )


def circle_seats(circle, *, on: datetime.date, current_only: bool = True) -> QuerySet[CircleRole]:
    seats = circle.roles.select_related("member")
    if current_only:
        seats = seats.filter(seats_on(on))
    return seats.order_by("role", "member__name")


def circle_seats_ahead(circle, *, on: datetime.date) -> QuerySet[CircleRole]:
    """The seats of ``circle`` that start after ``on``, soonest first: the circle's page lists
    them, so that a seat dated ahead by mistake can be seen and cancelled."""
    return (
        circle.roles.select_related("member")
        .filter(started_on__gt=on)
        .order_by("started_on", "role", "member__name", "pk")
    )
