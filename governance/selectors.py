"""Reads of the governance app."""

import datetime
import difflib
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal

import markdown
import nh3
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from meetcoop.core.roles import is_coop_admin
from membership.selectors import members_of_user, policy_in_force

from .models import (
    Attendance,
    Circle,
    CircleRole,
    DocumentVersion,
    GovernanceDocument,
    Meeting,
    Proposal,
    Voter,
)


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


def can_record_attendance(user, meeting, *, on: datetime.date) -> bool:
    """All Hands: a co-op admin or any circle coordinator. A circle meeting: a co-op admin or a
    coordinator of that circle (on the day of recording)."""
    if is_coop_admin(user):
        return True
    if meeting.kind == meeting.Kind.ALL_HANDS:
        return is_any_coordinator(user, on=on)
    return is_coordinator_of(user, meeting.circle, on=on)


def has_voting_rights(user) -> bool:
    """Whether one of ``user``'s members holds an active membership (may draft proposals)."""
    from membership.models import Membership

    return Membership.objects.filter(
        member__in=members_of_user(user), status=Membership.Status.ACTIVE
    ).exists()


# --- circles ---------------------------------------------------------------------------------


def circle_list(*, on: datetime.date) -> QuerySet[Circle]:
    return Circle.objects.annotate(
        seat_count=Count("roles", filter=seats_on_prefixed("roles__", on)),
    ).order_by("name")


def seats_on_prefixed(prefix: str, on: datetime.date) -> Q:
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    )


def circle_seats(circle, *, on: datetime.date, current_only: bool = True) -> QuerySet[CircleRole]:
    seats = circle.roles.select_related("member")
    if current_only:
        seats = seats.filter(seats_on(on))
    return seats.order_by("role", "member__name")


# --- meetings and attendance -----------------------------------------------------------------


def meetings_list() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("circle").annotate(present=Count("attendances"))


def expected_attendees(meeting) -> QuerySet:
    """Who is expected at ``meeting``: for All Hands, members with an active operational
    membership admitted on or before the day; for a circle meeting, the members seated in the
    circle that day. Members already ticked are always listed too."""
    from membership.models import Member, Membership

    if meeting.kind == Meeting.Kind.ALL_HANDS:
        expected = Q(
            memberships__type=Membership.Type.OPERATIONAL,
            memberships__status=Membership.Status.ACTIVE,
        ) & admitted_by(meeting.held_on, admitted_on="memberships__admitted_on")
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


# --- proposals -------------------------------------------------------------------------------


def proposal_state(proposal, now: datetime.datetime | None = None) -> str:
    """The status a reader must see: an open proposal whose closing time has passed reads as
    closed, whether or not a worker has closed it yet."""
    now = now or timezone.now()
    if proposal.status == Proposal.Status.OPEN and proposal.closes_at and proposal.closes_at <= now:
        return Proposal.Status.CLOSED
    return proposal.status


def proposal_is_due(proposal, now: datetime.datetime) -> bool:
    return proposal.status == Proposal.Status.OPEN and proposal.closes_at <= now


@dataclass(frozen=True)
class Tally:
    electorate: int
    agree: int
    abstain: int
    block: int

    @property
    def voted(self) -> int:
        return self.agree + self.abstain + self.block

    @property
    def not_voted(self) -> int:
        return self.electorate - self.voted

    @property
    def turnout_percent(self) -> Decimal:
        if not self.electorate:
            return Decimal("0")
        return Decimal(self.voted) * 100 / Decimal(self.electorate)


def proposal_tally(proposal) -> Tally:
    """The live tally from the electorate's latest stances (stored figures once closed)."""
    if proposal.status == Proposal.Status.CLOSED:
        return Tally(
            proposal.electorate_size,
            proposal.agree_count,
            proposal.abstain_count,
            proposal.block_count,
        )
    counts = proposal.voters.aggregate(
        electorate=Count("pk"),
        agree=Count("pk", filter=Q(stance=Voter.Stance.AGREE)),
        abstain=Count("pk", filter=Q(stance=Voter.Stance.ABSTAIN)),
        block=Count("pk", filter=Q(stance=Voter.Stance.BLOCK)),
    )
    return Tally(counts["electorate"], counts["agree"], counts["abstain"], counts["block"])


def outcome_for(proposal, tally: Tally) -> tuple[str, str]:
    """DOMAIN.md's rule: adopted when turnout reaches the quorum, at least one voter agrees and
    nobody blocks; otherwise rejected. Returns (outcome, reason in words)."""
    if proposal_is_outdated(proposal):
        return Proposal.Outcome.REJECTED, gettext("based on an outdated version of the document")
    if tally.block:
        return Proposal.Outcome.REJECTED, ngettext(
            "%(n)d member blocked", "%(n)d members blocked", tally.block
        ) % {"n": tally.block}
    if tally.turnout_percent < proposal.quorum_percent or not tally.electorate:
        return Proposal.Outcome.REJECTED, gettext(
            "quorum not reached: %(turnout)s %% voted, %(quorum)s %% needed"
        ) % {
            "turnout": tally.turnout_percent.quantize(Decimal("1")),
            "quorum": proposal.quorum_percent.normalize(),
        }
    if not tally.agree:
        return Proposal.Outcome.REJECTED, gettext("nobody agreed")
    return Proposal.Outcome.ADOPTED, gettext("agreed, with nobody blocking")


def proposal_is_outdated(proposal) -> bool:
    """A proposal that changes a document and was not adopted is outdated once the document's
    current version is no longer the one it was based on (for a draft: never, its base is
    taken when it opens)."""
    if not proposal.document_id or proposal.status == Proposal.Status.DRAFT:
        return False
    if proposal.outcome == Proposal.Outcome.ADOPTED:
        return False
    current_id = (
        GovernanceDocument.objects.filter(pk=proposal.document_id)
        .values_list("current_version_id", flat=True)
        .first()
    )
    return current_id != proposal.base_version_id


def voters_for(proposal, user) -> list[Voter]:
    """All electorate rows ``user`` may vote for (one per member it is a contact of)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        proposal.voters.filter(member__in=members_of_user(user))
        .select_related("member")
        .order_by("member__name", "pk")
    )


def can_view_proposal(user, proposal) -> bool:
    """Co-op admins, the author, and (once it opened) its electorate."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_coop_admin(user) or (proposal.author_id and proposal.author_id == user.pk):
        return True
    if proposal.status == Proposal.Status.DRAFT:
        return False
    return proposal.voters.filter(member__in=members_of_user(user)).exists()


def proposals_for_user(user, *, now: datetime.datetime) -> QuerySet[Proposal]:
    """Proposals ``user`` may see, with ``my_pending`` (how many of its members in the
    electorate have not voted yet)."""
    qs = Proposal.objects.select_related("circle", "document")
    if not is_coop_admin(user):
        qs = qs.filter(
            Q(author=user)
            | Q(
                ~Q(status=Proposal.Status.DRAFT),
                pk__in=Voter.objects.filter(member__in=members_of_user(user)).values("proposal_id"),
            )
        )
    mine = Voter.objects.filter(
        proposal=OuterRef("pk"), member__in=members_of_user(user), stance=""
    )
    return qs.annotate(my_pending=Exists(mine))


def open_proposals_for_user(user, *, now: datetime.datetime) -> QuerySet[Proposal]:
    return (
        proposals_for_user(user, now=now)
        .filter(status=Proposal.Status.OPEN, closes_at__gt=now)
        .order_by("closes_at")
    )


def past_proposals_for_user(user, *, now: datetime.datetime) -> QuerySet[Proposal]:
    return (
        proposals_for_user(user, now=now)
        .filter(
            Q(status=Proposal.Status.CLOSED) | Q(status=Proposal.Status.OPEN, closes_at__lte=now)
        )
        .order_by("-closes_at")
    )


def draft_proposals_for_user(user) -> QuerySet[Proposal]:
    qs = Proposal.objects.filter(status=Proposal.Status.DRAFT)
    if not is_coop_admin(user):
        qs = qs.filter(author=user)
    return qs.order_by("-created_at")


def proposal_stances(proposal) -> QuerySet[Voter]:
    return proposal.voters.select_related("member").order_by("member__name")


def due_proposals(*, now: datetime.datetime) -> QuerySet[Proposal]:
    return Proposal.objects.filter(status=Proposal.Status.OPEN, closes_at__lte=now)


# --- documents -------------------------------------------------------------------------------


def render_markdown(text: str) -> str:
    """Markdown to HTML, then cleaned by nh3 (no script, no event handlers, no raw HTML tricks)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(html)


def text_diff(old: str, new: str) -> list[dict]:
    """A line diff as rows {"op": "equal"|"insert"|"delete", "text": line, "old": n, "new": m}
    for a readable, accessible table (each changed line says what happened to it)."""
    old_lines = (old or "").splitlines()
    new_lines = (new or "").splitlines()
    rows = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                rows.append(
                    {"op": "equal", "text": old_lines[i1 + k], "old": i1 + k + 1, "new": j1 + k + 1}
                )
            continue
        if tag in ("replace", "delete"):
            for k in range(i1, i2):
                rows.append({"op": "delete", "text": old_lines[k], "old": k + 1, "new": None})
        if tag in ("replace", "insert"):
            for k in range(j1, j2):
                rows.append({"op": "insert", "text": new_lines[k], "old": None, "new": k + 1})
    return rows


def collapse_unchanged(rows: list[dict], *, context: int = 3) -> list[dict]:
    """Keep ``context`` unchanged lines around each change; a longer unchanged run becomes one
    row {"op": "skip", "count": n} ("n unchanged lines")."""
    changed = [i for i, row in enumerate(rows) if row["op"] != "equal"]
    if not changed:
        return rows
    keep = set()
    for i in changed:
        keep.update(range(max(0, i - context), min(len(rows), i + context + 1)))
    result, skipped = [], 0
    for i, row in enumerate(rows):
        if i in keep:
            if skipped:
                result.append({"op": "skip", "count": skipped})
                skipped = 0
            result.append(row)
        else:
            skipped += 1
    if skipped:
        result.append({"op": "skip", "count": skipped})
    return result


def proposal_diff(proposal) -> list[dict] | None:
    """The proposal's change against the version current when it opened (for a draft: against
    the current version now). None when it changes no document."""
    if not proposal.document_id:
        return None
    if proposal.status == Proposal.Status.DRAFT:
        base = proposal.document.current_version
    else:
        base = proposal.base_version
    return text_diff(base.text if base else "", proposal.new_text)


def pending_proposals_for_document(user, document, *, now) -> QuerySet[Proposal]:
    """The open and draft proposals that change ``document`` and that ``user`` may see (its
    own drafts, proposals whose electorate it is in; everything for a co-op admin)."""
    return (
        proposals_for_user(user, now=now)
        .filter(document=document, status__in=[Proposal.Status.OPEN, Proposal.Status.DRAFT])
        .order_by("-created_at")
    )


def document_list() -> QuerySet[GovernanceDocument]:
    return GovernanceDocument.objects.select_related("current_version")


def document_history(document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("proposal").order_by("-number")
