"""Reads of meetings and their attendance: who may record it, who is expected, and the
attendance of All Hands Meetings as the status rule counts it."""

import datetime
from bisect import bisect_left

from django.db.models import Count, Exists, F, FilteredRelation, Min, OuterRef, Q, QuerySet

from meetcoop.core.db import among
from meetcoop.core.roles import is_coop_admin
from membership.selectors import policy_in_force

from ..models import Attendance, CircleRole, Meeting
from .circles import circles_coordinated_by, is_any_coordinator, is_coordinator_of, seats_on


def can_record_attendance(user, meeting, *, on: datetime.date) -> bool:
    """All Hands: a co-op admin or any circle coordinator. A circle meeting: a co-op admin or a
    coordinator of that circle (on the day of recording)."""
    if is_coop_admin(user):
        return True
    if meeting.kind == meeting.Kind.ALL_HANDS:
        return is_any_coordinator(user, on=on)
    return is_coordinator_of(user, meeting.circle, on=on)


def can_plan_meeting(user, *, kind: str, circle, on: datetime.date) -> bool:
    """A co-op admin plans any meeting; a coordinator (on ``on``) plans its own circles'
    meetings. The co-op's All Hands Meetings are planned by co-op admins only."""
    if is_coop_admin(user):
        return True
    if kind != Meeting.Kind.CIRCLE or circle is None:
        return False
    return is_coordinator_of(user, circle, on=on)


def meetings_to_record(user, *, on: datetime.date) -> QuerySet[Meeting]:
    """Meetings held on or before ``on`` whose attendance nobody has recorded yet, among those
    ``user`` may record (``can_record_attendance``): every one for a co-op admin; the All
    Hands Meetings and its own circles' meetings for a coordinator; none for anyone else.
    Newest first, in one query."""
    waiting = Meeting.objects.filter(
        held_on__lte=on, attendance_recorded_at__isnull=True
    ).select_related("circle")
    if not is_coop_admin(user):
        circles = circles_coordinated_by(user, on=on)
        waiting = waiting.filter(
            (Q(kind=Meeting.Kind.ALL_HANDS) & Exists(circles)) | Q(circle__in=circles)
        )
    return waiting.order_by("-held_on", "title")


# --- meetings and attendance -----------------------------------------------------------------


def meetings_list() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("circle").annotate(present=Count("attendances"))


def expected_attendees(meeting) -> QuerySet:
    """Who is expected at ``meeting``: for All Hands, members holding on the day an operational
    membership admitted on or before it (active, lapsed or suspended now, or ended since the
    day: a lapsed member comes back by attending, and a sheet recorded late still lists who
    resigned after the meeting); for a circle meeting, the members seated in the circle that
    day. Members already ticked are always listed too."""
    from membership.models import Member, Membership

    if meeting.kind == Meeting.Kind.ALL_HANDS:
        held_on = meeting.held_on
        expected = Exists(
            Membership.objects.filter(
                admitted_by(held_on),
                Q(ended_on__isnull=True) | Q(ended_on__gte=held_on),
                member=OuterRef("pk"),
                type=Membership.Type.OPERATIONAL,
            ).exclude(status=Membership.Status.PENDING)
        )
    else:
        expected = Q(
            pk__in=CircleRole.objects.filter(
                seats_on(meeting.held_on), circle=meeting.circle
            ).values("member_id")
        )
    ticked = Q(pk__in=meeting.attendances.values("member_id"))
    return Member.objects.filter(expected | ticked).distinct().order_by("name")


# Attendance of All Hands Meetings, as the status rule counts it. Each fact has one place:
# the window (``attendance_window``), the meetings that count in it (``counted_meetings``),
# which of them count for a membership (``admitted_by`` in SQL, ``held_since`` and
# ``meetings_since`` over meeting days in Python), and who attended them (``attended_counts``
# for many memberships, ``counted_meetings(attended_by=...)`` for one member's page).


def attendance_window(*, on: datetime.date, policy=None) -> tuple[datetime.date, datetime.date]:
    """The policy's window: the ``attendance_window_days`` days before ``on`` (``on`` excluded),
    as an inclusive (first, last) pair. ``policy`` is the one in force on ``on`` if known."""
    days = (policy or policy_in_force(on=on)).attendance_window_days
    return on - datetime.timedelta(days=days), on - datetime.timedelta(days=1)


def _counted(window: tuple[datetime.date, datetime.date], prefix: str = "") -> Q:
    """A filter for the meetings that count in ``window`` (first, last): All Hands Meetings
    held in it whose attendance was recorded. ``prefix`` is the path to the meeting."""
    first, last = window
    return Q(
        **{
            f"{prefix}kind": Meeting.Kind.ALL_HANDS,
            f"{prefix}attendance_recorded_at__isnull": False,
            f"{prefix}held_on__gte": first,
            f"{prefix}held_on__lte": last,
        }
    )


def counted_meetings(
    window: tuple[datetime.date, datetime.date], *, attended_by=None
) -> QuerySet[Meeting]:
    """The meetings that count in ``window``. With ``attended_by`` (members, or a queryset
    of them), each is annotated with ``attended``: whether one of them attended it."""
    meetings = Meeting.objects.filter(_counted(window))
    if attended_by is not None:
        meetings = meetings.annotate(
            attended=Exists(
                Attendance.objects.filter(meeting=OuterRef("pk"), member__in=attended_by)
            )
        )
    return meetings


def counted_meetings_attended(window: tuple[datetime.date, datetime.date], *, by) -> list[Meeting]:
    """The meetings that count in ``window``, newest first, each with ``attendees``: the set
    of the ids of ``by`` (member ids, a few: one page's) that attended it. One query, a LEFT
    JOIN on those members' attendance; ``attended_since`` counts from it what
    ``attended_counts`` counts in SQL."""
    rows = (
        Meeting.objects.filter(_counted(window))
        .annotate(theirs=FilteredRelation("attendances", condition=Q(attendances__member__in=by)))
        .annotate(attendee=F("theirs__member_id"))
        .order_by("-held_on", "title", "pk")
    )
    meetings: dict[int, Meeting] = {}
    for row in rows:
        meeting = meetings.get(row.pk)
        if meeting is None:
            meeting = meetings[row.pk] = row
            meeting.attendees = set()
        if row.attendee is not None:
            meeting.attendees.add(row.attendee)
    return list(meetings.values())


def all_hands_days(window: tuple[datetime.date, datetime.date]) -> list[datetime.date]:
    """The sorted days of the meetings that count in ``window``. A few dozen at most."""
    return sorted(counted_meetings(window).values_list("held_on", flat=True))


def admitted_by(day, *, admitted_on: str = "admitted_on") -> Q:
    """A filter for memberships admitted on or before ``day`` (a date, or an expression such
    as ``F("...held_on")``), or with no admission day: a meeting counts for a membership, and
    the membership is expected at it, from its admission day on. ``admitted_on`` is the path
    to the membership's admission day."""
    return Q(**{f"{admitted_on}__isnull": True}) | Q(**{f"{admitted_on}__lte": day})


def held_since(days: list[datetime.date], admitted_on: datetime.date | None) -> int:
    """How many of the sorted meeting ``days`` count for a membership admitted on
    ``admitted_on``: those on or after it (all of them when it is None). ``admitted_by`` in
    Python, by bisection: the status job calls it for every operational membership."""
    return len(days) - (bisect_left(days, admitted_on) if admitted_on else 0)


def meetings_since(meetings, admitted_on: datetime.date | None) -> list:
    """The ``meetings`` (any order) that count for a membership admitted on ``admitted_on``:
    the same rule as ``held_since``, keeping the meetings."""
    return [m for m in meetings if admitted_on is None or m.held_on >= admitted_on]


def attended_since(meetings, member_id: int, admitted_on: datetime.date | None) -> int:
    """How many of ``meetings`` (from ``counted_meetings_attended``) count for a membership of
    ``member_id`` admitted on ``admitted_on`` and were attended by that member: what
    ``attended_counts`` gives for it, in Python."""
    return sum(1 for m in meetings_since(meetings, admitted_on) if member_id in m.attendees)


def attended_counts(
    memberships: QuerySet, window: tuple[datetime.date, datetime.date]
) -> dict[int, int]:
    """{membership_id: meetings that count in ``window`` and for it that its member attended},
    in one GROUP BY joining attendance to meetings. Memberships that attended none are absent.
    """
    # One filter() call, so every condition applies to the same attendance row (the F() of
    # ``admitted_by`` reuses the join), and the count after it counts only those rows.
    return dict(
        memberships.filter(
            _counted(window, prefix="member__attendances__meeting__")
            & admitted_by(F("member__attendances__meeting__held_on"))
        )
        .order_by()
        .values("pk")
        .annotate(n=Count("member__attendances"))
        .values_list("pk", "n")
    )


def counted_and_upcoming_meetings(
    window: tuple[datetime.date, datetime.date],
    *,
    by,
    on: datetime.date,
    upcoming: int = 3,
    circle_ids=None,
    soon_days: int = 0,
) -> tuple[list[Meeting], list[Meeting], list[Meeting]]:
    """``counted_meetings_attended(window, by=by)``, the next ``upcoming`` All Hands Meetings
    from ``on``, and, when ``circle_ids`` is given, the meetings of those circles that count in
    ``window`` or are held within ``soon_days`` from ``on`` (each with ``attendees`` too), in
    one query (a member's page shows them and the status rules read them)."""
    wanted = _counted(window) | Q(kind=Meeting.Kind.ALL_HANDS, held_on__gte=on)
    first, last = window
    if circle_ids:
        wanted |= Q(kind=Meeting.Kind.CIRCLE, circle_id__in=circle_ids) & (
            Q(attendance_recorded_at__isnull=False, held_on__gte=first, held_on__lte=last)
            | Q(held_on__gte=on, held_on__lte=on + datetime.timedelta(days=soon_days))
        )
    rows = (
        Meeting.objects.filter(wanted)
        .annotate(theirs=FilteredRelation("attendances", condition=Q(attendances__member__in=by)))
        .annotate(attendee=F("theirs__member_id"))
        .order_by("-held_on", "title", "pk")
    )
    meetings: dict[int, Meeting] = {}
    for row in rows:
        meeting = meetings.get(row.pk)
        if meeting is None:
            meeting = meetings[row.pk] = row
            meeting.attendees = set()
        if row.attendee is not None:
            meeting.attendees.add(row.attendee)
    all_hands = [m for m in meetings.values() if m.kind == Meeting.Kind.ALL_HANDS]
    counted = [
        m for m in all_hands if m.attendance_recorded_at is not None and first <= m.held_on <= last
    ]
    later = sorted((m for m in all_hands if m.held_on >= on), key=lambda m: m.held_on)
    circle_meetings = [m for m in meetings.values() if m.kind == Meeting.Kind.CIRCLE]
    return counted, later[:upcoming], circle_meetings


def circle_attendance_of(
    circle_meetings,
    seats,
    *,
    member_id: int,
    admitted_on: datetime.date | None,
    window: tuple[datetime.date, datetime.date],
    on: datetime.date,
    soon_days: int,
    zone: tuple[datetime.date, datetime.date] | None = None,
) -> tuple[tuple[int, int], datetime.date | None, list[tuple[datetime.date, bool]]]:
    """What ``circle_attendance_counts``, ``circle_meeting_soon`` and
    ``circle_attendance_leaving`` give for one membership, in Python, over ``circle_meetings``
    (from ``counted_and_upcoming_meetings``) and ``seats`` (every seat of the member that may
    have been held on one of their days): ((held, attended), the day of the first meeting of
    its circles within ``soon_days`` (None: none comes), [(day, attended)] of those counted
    held in ``zone``)."""
    first, last = window
    soon_last = on + datetime.timedelta(days=soon_days)

    def seated(meeting) -> bool:
        return any(
            s.member_id == member_id
            and s.circle_id == meeting.circle_id
            and s.started_on <= meeting.held_on
            and (s.ended_on is None or s.ended_on >= meeting.held_on)
            for s in seats
        )

    held = attended = 0
    soon: datetime.date | None = None
    leaving: list[tuple[datetime.date, bool]] = []
    for meeting in circle_meetings:
        if not seated(meeting):
            continue
        if on <= meeting.held_on <= soon_last and (soon is None or meeting.held_on < soon):
            soon = meeting.held_on
        if (
            meeting.attendance_recorded_at is not None
            and first <= meeting.held_on <= last
            and (admitted_on is None or meeting.held_on >= admitted_on)
        ):
            held += 1
            present = member_id in meeting.attendees
            attended += present
            if zone is not None and zone[0] <= meeting.held_on <= zone[1]:
                leaving.append((meeting.held_on, present))
    return (held, attended), soon, leaving


# Attendance of circle meetings, as the participation rule counts it when the policy says that
# circle meetings count. A circle meeting counts for a membership when it was held in the
# window, its attendance was recorded, it was held on or after the admission day, and the
# member sat in that circle on the day of the meeting (as the attendance sheet lists them).

_CIRCLE_MEETING = "member__circle_roles__circle__meetings__"


def _counted_circle_meetings(
    memberships: QuerySet, window: tuple[datetime.date, datetime.date]
) -> QuerySet:
    """``memberships`` joined to the circle meetings that count for them in ``window``: held
    in it, attendance recorded, on or after the admission day, the member seated that day.
    One filter() call: the seat and the meeting conditions apply to the same joined rows."""
    first, last = window
    held_on = F(f"{_CIRCLE_MEETING}held_on")
    return memberships.filter(
        Q(
            **{
                f"{_CIRCLE_MEETING}attendance_recorded_at__isnull": False,
                f"{_CIRCLE_MEETING}held_on__gte": first,
                f"{_CIRCLE_MEETING}held_on__lte": last,
                "member__circle_roles__started_on__lte": held_on,
            }
        )
        & (
            Q(member__circle_roles__ended_on__isnull=True)
            | Q(member__circle_roles__ended_on__gte=held_on)
        )
        & admitted_by(held_on)
    ).order_by()


def _circle_attended() -> Exists:
    return Exists(
        Attendance.objects.filter(
            meeting=OuterRef(f"{_CIRCLE_MEETING}id"), member=OuterRef("member_id")
        )
    )


def circle_attendance_leaving(
    memberships: QuerySet, zone: tuple[datetime.date, datetime.date]
) -> dict[int, list[tuple[datetime.date, bool]]]:
    """{membership_id: [(day, attended), ...]}: the circle meetings that count for it held in
    ``zone`` (those about to leave the window), one per meeting, whether its member attended.
    One query, over a few weeks of meetings."""
    # Distinct meetings: a member seated twice in a circle joins its meetings twice.
    rows = (
        _counted_circle_meetings(memberships, zone)
        .annotate(present=_circle_attended())
        .values_list("pk", f"{_CIRCLE_MEETING}id", f"{_CIRCLE_MEETING}held_on", "present")
        .distinct()
    )
    leaving: dict[int, list[tuple[datetime.date, bool]]] = {}
    for pk, _meeting, day, present in rows:
        leaving.setdefault(pk, []).append((day, bool(present)))
    return leaving


def circle_attendance_counts(
    memberships: QuerySet, window: tuple[datetime.date, datetime.date]
) -> dict[int, tuple[int, int]]:
    """{membership_id: (circle meetings that count for it, how many of them its member
    attended)}, in one GROUP BY joining seats to their circles' meetings. Memberships whose
    circles held none are absent."""
    attended = _circle_attended()
    rows = (
        _counted_circle_meetings(memberships, window)
        .values("pk")
        .annotate(
            held=Count(f"{_CIRCLE_MEETING}id", distinct=True),
            present=Count(f"{_CIRCLE_MEETING}id", distinct=True, filter=Q(attended)),
        )
        .values_list("pk", "held", "present")
    )
    return {pk: (held, present) for pk, held, present in rows}


def circle_meeting_soon(member_ids, *, on: datetime.date, days: int) -> dict[int, datetime.date]:
    """{member id: the day of the first meeting held from ``on`` to ``days`` days later of a
    circle it sits in on that meeting's day} for the ids among ``member_ids`` (ids, or a
    queryset of them) that have one. One query."""
    held_on = F("circle__meetings__held_on")
    return dict(
        CircleRole.objects.filter(
            among("member_id", member_ids),
            Q(
                circle__meetings__held_on__gte=on,
                circle__meetings__held_on__lte=on + datetime.timedelta(days=days),
                started_on__lte=held_on,
            )
            & (Q(ended_on__isnull=True) | Q(ended_on__gte=held_on)),
        )
        .order_by()
        .values("member_id")
        .annotate(first=Min("circle__meetings__held_on"))
        .values_list("member_id", "first")
    )
