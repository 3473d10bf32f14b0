"""Ledger reads: who sits in or coordinates a circle, who may decide an entry, who sees which
entries, and the queues of pending entries."""

import datetime
from collections.abc import Iterable

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, When

from governance.models import Circle, CircleRole
from governance.selectors import circle_seats, circles_coordinated_by, seats_on
from meetcoop.core.roles import is_treasurer
from membership.models import Member
from membership.selectors import member_ids_of, members_of_user

from ..models import LedgerEntry

# --- who acts for whom ------------------------------------------------------------------------


# Seats, read through governance's selectors.
def members_seated_in(circle: Circle, *, on: datetime.date) -> QuerySet[Member]:
    """Members holding a seat (coordinator or member) in ``circle`` on ``on``."""
    seats = circle_seats(circle, on=on)
    return Member.objects.filter(pk__in=seats.values("member_id")).order_by("name")


def members_seated_during(
    circle: Circle, *, first: datetime.date, last: datetime.date
) -> QuerySet[Member]:
    """Members holding a seat in ``circle`` on at least one day from ``first`` to ``last``,
    by name, in one query. Each carries ``left_on``: the day its last seat there ended when
    that is before ``last`` (it no longer sits there on ``last``), else None."""
    seats = circle.roles.filter(started_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )
    # The seat ending last comes first, an open seat before any: its end is the member's.
    last_end = Subquery(
        seats.filter(member=OuterRef("pk"))
        .order_by(F("ended_on").desc(nulls_first=True))
        .values("ended_on")[:1]
    )
    return (
        Member.objects.filter(pk__in=seats.values("member_id"))
        .annotate(last_end=last_end)
        .annotate(left_on=Case(When(last_end__lt=last, then=F("last_end")), default=None))
        .order_by("name")
    )


def is_seated_in(member, circle: Circle, *, on: datetime.date) -> bool:
    return circle_seats(circle, on=on).filter(member=member).exists()


# Not offered by governance: written here against its models and its ``seats_on`` filter.
def circles_of_members(member_ids: Iterable[int], *, on: datetime.date) -> QuerySet[Circle]:
    seats = CircleRole.objects.filter(seats_on(on), member_id__in=list(member_ids))
    return Circle.objects.filter(pk__in=seats.values("circle_id")).order_by("name")


def circles_sat_in(member_ids: Iterable[int], *, on: datetime.date) -> QuerySet[Circle]:
    """The circles the members sat in on ``on`` or on any day before: where they may report
    hours worked (``labour_log`` checks the seat on the day worked), also after a seat ended."""
    seats = CircleRole.objects.filter(member_id__in=list(member_ids), started_on__lte=on)
    return Circle.objects.filter(pk__in=seats.values("circle_id")).order_by("name")


def coordinates(user, circle_id: int, *, on: datetime.date) -> bool:
    return circles_coordinated_by(user, on=on).filter(pk=circle_id).exists()


def may_decide(user, entry: LedgerEntry, *, on: datetime.date) -> bool:
    """A labour entry is decided by a coordinator of its circle, money and resources by a
    treasurer; nobody decides an entry that credits a member they act for."""
    if not getattr(user, "is_authenticated", False):
        return False
    if entry.member_id in member_ids_of(user):
        return False
    if entry.kind == LedgerEntry.Kind.LABOUR:
        return coordinates(user, entry.circle_id, on=on)
    return is_treasurer(user)


def decidable_ids(user, entries, *, on: datetime.date) -> set[int]:
    """The ids among ``entries`` that ``user`` may decide or reverse, in at most two queries
    whatever their number (``may_decide`` for a list)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    own = member_ids_of(user)
    treasurer = is_treasurer(user)
    circles = set(circles_coordinated_by(user, on=on).values_list("pk", flat=True))
    return {
        e.pk
        for e in entries
        if e.member_id not in own
        and (e.circle_id in circles if e.kind == LedgerEntry.Kind.LABOUR else treasurer)
    }


# --- ledger scopes ----------------------------------------------------------------------------


def entries_visible_to(user, *, on: datetime.date) -> QuerySet[LedgerEntry]:
    """Treasurers see every entry; coordinators the labour of their circles; everyone their own."""
    qs = LedgerEntry.objects.select_related("member", "circle", "logged_by", "decided_by")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_treasurer(user):
        return qs
    own = Q(member__in=members_of_user(user))
    circles = circles_coordinated_by(user, on=on)
    return qs.filter(own | Q(kind=LedgerEntry.Kind.LABOUR, circle__in=circles)).distinct()


def pending_labour_queue(user, *, on: datetime.date) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(
            status=LedgerEntry.Status.PENDING,
            kind=LedgerEntry.Kind.LABOUR,
            circle__in=circles_coordinated_by(user, on=on),
        )
        .select_related("member", "circle", "logged_by")
        .order_by("occurred_on", "id")
    )


def pending_money_queue() -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(
            status=LedgerEntry.Status.PENDING,
            kind__in=[LedgerEntry.Kind.MONEY, LedgerEntry.Kind.RESOURCE],
        )
        .select_related("member", "logged_by")
        .order_by("occurred_on", "id")
    )


def labour_to_decide_by_circle(user, *, on: datetime.date) -> list[dict]:
    """For each circle ``user`` coordinates on ``on`` with pending labour that ``user`` may
    decide (not crediting a member it acts for): the circle, the entries and their hours,
    in one query (the members it acts for are read once per request)."""
    rows = (
        pending_labour_queue(user, on=on)
        .exclude(member_id__in=member_ids_of(user))
        .select_related(None)
        .order_by()
        .values("circle_id", "circle__name", "circle__slug")
        .annotate(entries=Count("pk"), hours=Sum("hours"))
        .order_by("circle__name")
    )
    return [
        {
            "circle_id": row["circle_id"],
            "name": row["circle__name"],
            "slug": row["circle__slug"],
            "entries": row["entries"],
            "hours": row["hours"],
        }
        for row in rows
    ]
