"""Active status: the facts of every app gathered set-based, the rules applied per row."""

import datetime
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.db import connection, connections, transaction
from django.db.models import Count, DateField, Min, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from contributions.selectors import (
    approved_totals_by_member,
    dues_days_ahead,
    quarter_label,
    resellers_standing_for,
    unpaid_dues_for,
)
from governance.models import Attendance, CircleRole, Meeting
from governance.selectors import (
    SeatsAhead,
    all_hands_days,
    attendance_window,
    attended_counts,
    circle_attendance_counts,
    circle_attendance_leaving,
    circle_meeting_soon,
    held_since,
    seat_days_ahead,
    seats_on,
)
from meetcoop.core.dates import day_over
from meetcoop.core.db import among, in_ids
from meetcoop.core.phases import phase
from membership import rules
from membership.models import Membership, Policy, TermsAcceptance, TermsVersion
from membership.rules import HUNDRED, NEVER, Evaluation, progress_percent
from membership.selectors import policy_day_expression, policy_on, terms_in_force_among
from resellers.models import Steward


def _circle_counts(
    member_ids, on, first: datetime.date
) -> tuple[dict[int, int], set[int], dict[int, datetime.date]]:
    """({member_id: circles seated in on ``on``}, the members holding on ``on`` a seat with no
    end, {member_id: the first day of its seats held from ``first`` to ``on``, when after
    ``first``}): one aggregate. The second tells ``seat_days_ahead``, which reads only the
    seats dated ahead, who is seated beyond any end it reads; the third where the meetings of
    its circles start to count for a member seated inside the attendance window (``first``
    its first day)."""
    rows = (
        CircleRole.objects.filter(
            Q(started_on__lte=on),
            Q(ended_on__isnull=True) | Q(ended_on__gte=first),
            among("member_id", member_ids),
        )
        .order_by()
        .values("member_id")
        .annotate(
            n=Count("circle_id", distinct=True, filter=seats_on(on)),
            endless=Count("pk", filter=Q(ended_on__isnull=True)),
            seated_from=Min("started_on"),
        )
        .values_list("member_id", "n", "endless", "seated_from")
    )
    counts, endless, seated_from = {}, set(), {}
    for member_id, n, open_seats, started_on in rows:
        if n:
            counts[member_id] = n
        if open_seats:
            endless.add(member_id)
        if started_on > first:
            seated_from[member_id] = started_on
    return counts, endless, seated_from


def _next_all_hands_within(on, days) -> datetime.date | None:
    """The day of the next All Hands Meeting held from ``on`` to ``days`` days later, or None."""
    return (
        Meeting.objects.filter(
            kind=Meeting.Kind.ALL_HANDS,
            held_on__gte=on,
            held_on__lte=on + datetime.timedelta(days=days),
        )
        .order_by("held_on")
        .values_list("held_on", flat=True)
        .first()
    )


def leaving_zone(on: datetime.date, window_days: int) -> tuple[datetime.date, datetime.date]:
    """The days (first, last) of the meetings that count in the window of ``on`` and stop
    counting within ``AT_RISK_DAYS``: a meeting of day d counts through d + window days."""
    first = on - datetime.timedelta(days=window_days)
    last = min(
        on + datetime.timedelta(days=rules.AT_RISK_DAYS - window_days),
        on - datetime.timedelta(days=1),
    )
    return first, last


def _attended_leaving(member_ids, zone) -> dict[int, list[datetime.date]]:
    """{member_id: days of the All Hands Meetings that count, held in ``zone`` (first, last),
    that it attended}: the meetings whose leaving the window may put it at risk. One query
    over the attendance of a few weeks of meetings."""
    first, last = zone
    if last < first:
        return {}
    attended: dict[int, list[datetime.date]] = {}
    for member_id, held_on in (
        Attendance.objects.filter(
            among("member_id", member_ids),
            meeting__kind=Meeting.Kind.ALL_HANDS,
            meeting__attendance_recorded_at__isnull=False,
            meeting__held_on__gte=first,
            meeting__held_on__lte=last,
        )
        .order_by()
        .values_list("member_id", "meeting__held_on")
    ):
        attended.setdefault(member_id, []).append(held_on)
    return attended


def leaving_meetings(
    meeting_days, attended_days, *, admitted_on, on: datetime.date, window_days: int
) -> list[tuple[datetime.date, int, int]]:
    """What ``rules.attendance_rule`` reads as ``leaving`` for one membership: (the last day
    it counts, meetings held that day, of them attended) of the meetings in ``meeting_days``
    (sorted days of the meetings that count) that count for a membership admitted on
    ``admitted_on`` and stop counting within ``AT_RISK_DAYS``; ``attended_days``: the days
    of those its member attended (more may be given: only the zone's are read)."""
    first, last = leaving_zone(on, window_days)
    if admitted_on is not None and admitted_on > first:
        first = admitted_on
    held: dict[datetime.date, int] = {}
    for day in meeting_days[bisect_left(meeting_days, first) :]:
        if day > last:
            break
        held[day] = held.get(day, 0) + 1
    if not held:
        return []
    went: dict[datetime.date, int] = {}
    for day in attended_days:
        if day in held:
            went[day] = went.get(day, 0) + 1
    term = datetime.timedelta(days=window_days)
    return [(day + term, n, went.get(day, 0)) for day, n in sorted(held.items())]


def circle_leaving_of(
    meetings: list[tuple[datetime.date, bool]], *, on: datetime.date, window_days: int
) -> list[tuple[datetime.date, int, int]]:
    """What ``rules.circle_attendance_rule`` reads as ``leaving`` for one membership, from
    its circle meetings in the leaving zone ((day, attended), ``circle_attendance_leaving``,
    the admission already applied): ``leaving_meetings`` of those days."""
    return leaving_meetings(
        sorted(day for day, _present in meetings),
        [day for day, present in meetings if present],
        admitted_on=None,
        on=on,
        window_days=window_days,
    )


def _reseller_overdue_items(memberships, on) -> dict[int, tuple[list[str], ...]]:
    """{member_id: (quarters whose report is overdue, quarters whose share is unpaid, quarters
    whose report or share falls due within ``AT_RISK_DAYS``)} for the members that run a
    reseller."""
    stewards = Steward.objects.filter(
        kind=Steward.Kind.RESELLER, member_id__in=memberships.values("member_id")
    )
    return reseller_overdue_items(stewards, dict(stewards.values_list("pk", "member_id")), on=on)


def reseller_overdue_items(stewards, owners: dict, *, on) -> dict[int, tuple[list, list, list]]:
    """``_reseller_overdue_items`` for the resellers ``stewards`` (a queryset, or ids) whose
    members ``owners`` ({steward id: member id}) a caller has read already. A third list:
    the quarters whose report or share falls due within ``AT_RISK_DAYS`` (not overdue)."""
    if not owners:
        return {}
    result: dict[int, tuple[list[str], list[str], list[str]]] = {}
    for steward_id, standing in resellers_standing_for(
        stewards, on=on, soon_days=rules.AT_RISK_DAYS
    ).items():
        reports, payments, soon = result.setdefault(owners[steward_id], ([], [], []))
        reports.extend(quarter_label(q) for q in standing.missing_quarters)
        payments.extend(quarter_label(q) for q in standing.unpaid_quarters)
        soon.extend(quarter_label(q) for q in standing.due_soon_quarters)
    return result


def _terms_facts(member_ids, on, acceptance_days) -> list[tuple]:
    """The terms versions a member must have accepted on ``on``, per document: the newest one
    past the acceptance period (the terms in force on the last day whose acceptance period
    is over), and the newest one, still inside it (the terms in force on the day before
    ``on``: a version counts from the day after its publication). For each,
    (document code, version, published_at, the set of member ids that accepted it or a
    newer version of the same document): a newer version accepted counts for the older ones.

    One query for the versions and one per required version (two per document at most).
    """
    # Those published before ``on`` began (``required_terms``).
    versions = TermsVersion.objects.filter(
        published_at__lt=day_over(on - datetime.timedelta(days=1))
    ).defer("text")
    return [
        terms_fact(
            version,
            set(
                TermsAcceptance.objects.filter(
                    among("member_id", member_ids),
                    terms_version__document=version.document,
                    terms_version__published_at__gte=version.published_at,
                    # As the day evaluated knew them: an acceptance made later does not count
                    # for a day already past (``recompute_status --date``).
                    accepted_at__lt=day_over(on),
                )
                .order_by()
                .values_list("member_id", flat=True)
                .distinct()
            ),
        )
        for version in required_terms(versions, on=on, acceptance_days=acceptance_days)
    ]


def required_terms(versions, *, on: datetime.date, acceptance_days: int) -> list[TermsVersion]:
    """The versions a member must have accepted on ``on`` (see ``_terms_facts``), among
    ``versions`` (at least every one published before ``on``), by document code.

    A version counts for status from the day after the day it was published (in the co-op's
    time zone), whatever its hour: the run evaluating a day reads the same versions whether
    it runs at 02:00 or at 23:59, and a version dated later that day, entered ahead of time,
    is not read as in force before it is (docs/domain.md, "Terms")."""
    in_force = terms_in_force_among(versions, at=on - datetime.timedelta(days=1))
    # Published on that day or before: its acceptance period ended before ``on``.
    settled = terms_in_force_among(versions, at=on - datetime.timedelta(days=acceptance_days + 1))
    required: list[TermsVersion] = []
    for document in sorted(in_force):  # by document code, as the reasons always listed them
        past = settled.get(document)
        if past is not None:
            required.append(past)
        if in_force[document] != past:
            required.append(in_force[document])
    return required


def terms_fact(version: TermsVersion, accepted: set[int]) -> tuple:
    """One required version as the terms rule reads it: (document code, version,
    published_at, the ids of the members that accepted it or a newer one). The code, never
    the label: the reasons and the at-risk cause are stored, and a label would be in the
    language of whoever ran the evaluation (``membership.reasons`` words the code)."""
    # In the co-op's time zone: the rule reads its day (``.date()``) as the selectors do.
    published_at = timezone.localtime(version.published_at)
    return (version.document, version.version, published_at, accepted)


PARALLEL_FACTS = 3
# Each fact query runs in a transaction of its own with PostgreSQL's parallel workers off
# (for that transaction only; the server's settings are left as they are). The job already
# runs its large aggregates side by side on connections of their own; parallel plans on top
# of that asked for more workers than the server had, and at a million memberships the terms
# query's Parallel Hash Semi Join, started with fewer workers than planned while the other
# aggregates ran, went on for minutes where its serial plan takes a second or two
# (docs/nightly-job.md).
SERIAL_PLANS = "SET LOCAL max_parallel_workers_per_gather = 0"


def _gather(thunks: dict, *, parallel: bool | None = None) -> dict:
    """Run the fact queries. On PostgreSQL outside a transaction (the nightly job), the first
    ``PARALLEL_FACTS`` run side by side, each on a connection of its own, so the database
    works on them with every core; inside a transaction (a request, a test) other connections
    could not see its rows, so everything runs in order on this connection. ``parallel``
    overrides that guess: the status job's own write transaction, which has written nothing
    yet when it evaluates again, may use other connections (``status_recompute``)."""
    names = list(thunks)
    if parallel is None:
        parallel = not connection.in_atomic_block

    def timed(name):
        with phase(f"facts: {name}"):
            if connection.vendor != "postgresql":
                return thunks[name]()
            with transaction.atomic(), connection.cursor() as cursor:
                # The job's own parallelism is its connections; see SERIAL_PLANS.
                cursor.execute(SERIAL_PLANS)
                return thunks[name]()

    if connection.vendor != "postgresql" or not parallel:
        return {name: timed(name) for name in names}

    def run_alone(name):
        try:
            return timed(name)
        finally:
            connections.close_all()  # this thread's connection, not the caller's

    with ThreadPoolExecutor(max_workers=PARALLEL_FACTS) as pool:
        futures = {name: pool.submit(run_alone, name) for name in names[:PARALLEL_FACTS]}
        results = {name: timed(name) for name in names[PARALLEL_FACTS:]}
        results.update({name: future.result() for name, future in futures.items()})
    return results


def status_evaluate(
    memberships, *, on: datetime.date, parallel: bool | None = None, facts: dict | None = None
) -> list[Evaluation]:
    """Apply DOMAIN.md's rules to every membership of the queryset ``memberships`` on ``on``.

    A fixed number of queries whatever the number of memberships: the rows, the policies, and
    one aggregate per fact (commitment, circles, attendance, reseller standing, dues, terms).
    The rules themselves run in Python over those facts (``membership.rules``). ``parallel``:
    see ``_gather``. ``facts``: the facts ``status_facts`` gathered for a larger set of
    memberships that includes these (the status job gathers them once for the whole co-op
    and applies the rules a slice at a time); then only the rows are read.
    """
    memberships = memberships.order_by()
    policies = list(Policy.objects.order_by("effective_from"))
    with phase("memberships"):
        rows = list(
            memberships.annotate(
                policy_day=policy_day_expression(),
                start_day=start_day_expression(),
            ).values_list(
                "pk",
                "member_id",
                "type",
                "status",
                "policy_day",
                "start_day",
                "admitted_on",
                "next_check_on",
            )
        )
    if facts is None:
        facts = status_facts(memberships, on=on, parallel=parallel, policies=policies, rows=rows)
    with phase("rules"):
        evaluations = status_apply(rows, facts, on=on, policies=policies)
        for evaluation, row in zip(evaluations, rows, strict=True):
            evaluation.stored_check = row[7]
        return evaluations


def status_facts(
    memberships,
    *,
    on: datetime.date,
    parallel: bool | None = None,
    policies: list | None = None,
    rows=None,
) -> dict:
    """The facts the rules read (see ``status_apply``) for every membership of the queryset
    ``memberships`` on ``on``: one aggregate per fact, whatever their number.

    ``rows``: the memberships' rows, when the caller has read them (at least pk, member_id
    and type, in that order). The queries then name the memberships and members by their
    ids (one array each), which PostgreSQL serves from the indexes of the fact tables: a
    few thousand memberships cost what they are. Without them, the queries join the
    ``memberships`` subquery, as for the whole co-op.

    The facts are small per membership (a few numbers each); gathered once for the whole
    co-op, they are what the status job keeps while it evaluates a slice at a time."""
    memberships = memberships.order_by()
    if policies is None:
        policies = list(Policy.objects.order_by("effective_from"))
    today_policy = policy_on(on, policies)
    operational_type = Membership.Type.OPERATIONAL
    if rows is None:
        operational = memberships.filter(type=operational_type)
        users = memberships.filter(type=Membership.Type.USER)
        has_operational, has_users = operational.exists(), users.exists()
        # Subqueries of ids, which the fact queries join.
        operational_members = operational.values("member_id")
        user_memberships, user_members = users.values("pk"), users.values("member_id")
    else:
        operational_ids, operational_members, user_memberships, user_members = [], [], [], []
        for pk, member_id, type_, *_rest in rows:
            if type_ == operational_type:
                operational_ids.append(pk)
                operational_members.append(member_id)
            else:
                user_memberships.append(pk)
                user_members.append(member_id)
        has_operational, has_users = bool(operational_ids), bool(user_memberships)
        operational = Membership.objects.filter(in_ids("pk", operational_ids))
        users = Membership.objects.filter(in_ids("pk", user_memberships))

    window = attendance_window(on=on, policy=today_policy)
    # The participation rule of the day says which attendance is read: the other is not.
    read_all_hands = has_operational and today_policy.counts_all_hands
    read_circles = has_operational and today_policy.counts_circles
    facts = _gather(
        {
            # The three large aggregates first: they run side by side where they can.
            "totals": lambda: (
                approved_totals_by_member(operational_members, on=on) if has_operational else {}
            ),
            "attended": lambda: attended_counts(operational, window) if read_all_hands else {},
            "dues": lambda: unpaid_dues_for(user_memberships, on=on) if has_users else {},
            "circles": lambda: (
                _circle_counts(operational_members, on, window[0])
                if has_operational
                else ({}, set(), {})
            ),
            "meeting_days": lambda: all_hands_days(window) if read_all_hands else [],
            "meeting_soon": lambda: (
                _next_all_hands_within(on, rules.AT_RISK_DAYS) if read_all_hands else None
            ),
            "circle_attended": lambda: (
                circle_attendance_counts(operational, window) if read_circles else {}
            ),
            "circle_meeting_soon": lambda: (
                circle_meeting_soon(operational_members, on=on, days=rules.AT_RISK_DAYS)
                if read_circles
                else {}
            ),
            "reseller": lambda: _reseller_overdue_items(operational, on) if has_operational else {},
            "seat_days": lambda: (
                seat_days_ahead(operational_members, on=on, warn_days=rules.AT_RISK_DAYS)
                if has_operational
                else SeatsAhead({}, {})
            ),
            "dues_next": lambda: dues_days_ahead(user_memberships, on=on) if has_users else {},
            "terms_required": lambda: (
                _terms_facts(user_members, on, today_policy.terms_acceptance_days)
                if has_users
                else []
            ),
        },
        parallel=parallel,
    )
    # Who attended the meetings about to leave the window: read only on the days one does
    # (a few weeks a year), after the days of the meetings are known.
    zone = leaving_zone(on, today_policy.attendance_window_days)
    facts["attended_leaving"] = (
        _attended_leaving(operational_members, zone)
        if read_all_hands and any(zone[0] <= day <= zone[1] for day in facts["meeting_days"])
        else {}
    )
    # The same for the meetings of their circles, when they count: only on the days a circle
    # meeting that counts is in the zone (the query is over those few weeks of meetings).
    facts["circle_leaving"] = (
        circle_attendance_leaving(operational, zone)
        if read_circles
        and Meeting.objects.filter(
            kind=Meeting.Kind.CIRCLE,
            attendance_recorded_at__isnull=False,
            held_on__range=zone,
        ).exists()
        else {}
    )
    # The seats: both reads of one aggregate each, put together here.
    facts["circles"], endless, facts["seated_from"] = facts["circles"]
    ahead = facts["seat_days"]
    facts["seat_days"] = ahead.firsts
    facts["seats_ending"] = {
        member_id: last for member_id, last in ahead.ending.items() if member_id not in endless
    }
    return facts


def status_facts_of_ids(memberships, ids, *, on: datetime.date, parallel=None) -> dict:
    """``status_facts`` of the memberships of the queryset ``memberships`` among ``ids``,
    asked for by their ids: what a usual night evaluates is a few thousand memberships,
    whose facts the indexes find where a join would read every fact of the co-op."""
    rows = list(
        memberships.filter(in_ids("pk", ids)).order_by().values_list("pk", "member_id", "type")
    )
    return status_facts(memberships, on=on, parallel=parallel, rows=rows)


def start_day_expression() -> Coalesce:
    """The day a membership's commitment deadline runs from: admitted, else created."""
    return Coalesce("admitted_on", TruncDate("created_at"), output_field=DateField())


def status_apply(rows, facts: dict, *, on: datetime.date, policies: list) -> list[Evaluation]:
    """The rules applied to ``rows`` over ``facts``, with no query: the second half of
    ``status_evaluate``, which gathers both for many memberships. ``/me/`` gathers them from
    what it shows (``standing.selectors.dashboard``) and calls this.

    ``rows``: (pk, member_id, type, status, policy_day, start_day, admitted_on) per membership
    (a column after those, such as the stored next check, is ignored).
    ``facts``: ``totals`` {member_id: (approved EUR, hours)}, ``attended`` {pk: meetings
    attended}, ``dues`` {pk: unpaid invoices}, ``circles`` {member_id: circles seated in},
    ``meeting_days`` (sorted days of the meetings that count), ``meeting_soon`` (the day of
    the next All Hands Meeting within ``AT_RISK_DAYS``, or None), ``attended_leaving``
    {member_id: days of the meetings it attended that count and stop counting within
    ``AT_RISK_DAYS`` (``leaving_zone``; more may be given)}, ``reseller`` {member_id:
    (reports, payments) overdue},
    ``seats_ending`` {member_id: the last day of its unbroken seating from ``on``, for those
    whose seats all end within ``AT_RISK_DAYS``}, ``seat_days`` {member_id: the next day its
    seats change by time alone}, ``seated_from`` {member_id: the first day of its seats held
    in the attendance window, when after the window's first day}, ``dues_next`` {pk: the next
    day its invoices do}, ``terms_required`` (``terms_fact`` of each required version),
    ``circle_attended`` {pk: (circle meetings that count, attended)} and
    ``circle_meeting_soon`` ({member id: the day of the next meeting of its circles within
    ``AT_RISK_DAYS``}), both read only when the policy's participation rule counts circle
    meetings. ``policies``: every policy, by
    ``effective_from``.
    """
    today_policy = policy_on(on, policies)
    totals, attended, dues = facts["totals"], facts["attended"], facts["dues"]
    circles, meeting_days = facts["circles"], facts["meeting_days"]
    meeting_soon, reseller = facts["meeting_soon"], facts["reseller"]
    terms_required = facts["terms_required"]
    zero = (Decimal("0"), Decimal("0"))
    minimum = today_policy.attendance_minimum_percent
    window = today_policy.attendance_window_days
    window_first = on - datetime.timedelta(days=window)
    participation = today_policy.participation_rule
    counts_all_hands, counts_circles = today_policy.counts_all_hands, today_policy.counts_circles
    circle_attended = facts.get("circle_attended", {})
    attended_leaving = facts.get("attended_leaving", {})
    circle_leaving = facts.get("circle_leaving", {})
    seated_from = facts.get("seated_from", {})
    # Whether any meeting stops counting within AT_RISK_DAYS: most days, none does.
    meetings_leave = counts_all_hands and bool(
        leaving_meetings(meeting_days, (), admitted_on=None, on=on, window_days=window)
    )
    circle_soon = facts.get("circle_meeting_soon", {})
    circle_minimum = today_policy.circle_attendance_minimum_percent
    circle_count = today_policy.circle_attendance_minimum_count
    no_circle_meetings = (0, 0)

    # Looked up once, not once per membership: this loop runs for the whole co-op.
    operational_type = Membership.Type.OPERATIONAL.value
    commitment_rule, circle_rule, attendance_rule = (
        rules.commitment_rule,
        rules.circle_rule,
        rules.attendance_rule,
    )
    reseller_rule, dues_rule, terms_rule = rules.reseller_rule, rules.dues_rule, rules.terms_rule
    accepted_by = [who for *_version, who in terms_required]
    grace_days = today_policy.dues_grace_days
    grace_term = datetime.timedelta(days=grace_days)
    # What time alone changes: a commitment's deadline coming within AT_RISK_DAYS or passing,
    # a seat starting, ending or its end coming within AT_RISK_DAYS, an invoice falling due or
    # out of its grace period. What every membership of a type reads (meetings, terms,
    # policies) the nightly plan watches instead.
    seat_days, dues_next = facts.get("seat_days", {}), facts.get("dues_next", {})
    seats_ending = facts.get("seats_ending", {})
    one_day, at_risk_term = datetime.timedelta(days=1), datetime.timedelta(days=rules.AT_RISK_DAYS)
    no_dues: list = []
    bound_by_day: dict[datetime.date, tuple] = {}
    evaluations = []
    append = evaluations.append
    for pk, member_id, type_, status, policy_day, start_day, admitted_on, *_stored in rows:
        if type_ == operational_type:
            bound_and_term = bound_by_day.get(policy_day)
            if bound_and_term is None:
                bound = policy_on(policy_day, policies)
                bound_and_term = bound_by_day[policy_day] = (
                    bound,
                    datetime.timedelta(days=bound.commitment_deadline_days),
                )
            bound, term = bound_and_term
            money, hours = totals.get(member_id, zero)
            progress = progress_percent(
                money, hours, bound.commitment_money, bound.commitment_hours
            )
            deadline = start_day + term
            # The first day time alone changes this evaluation (a later one is found then).
            next_check = seat_days.get(member_id, NEVER)
            if progress < HUNDRED:
                for day in (deadline - at_risk_term, deadline + one_day):
                    if on < day < next_check:
                        next_check = day
            if counts_all_hands:
                held = held_since(meeting_days, admitted_on)
                all_hands = attendance_rule(
                    attended=attended.get(pk, 0),
                    held=held,
                    minimum_percent=minimum,
                    window_days=window,
                    next_meeting_held=held + 1 if meeting_soon else None,
                    next_meeting_on=meeting_soon or None,
                    leaving=leaving_meetings(
                        meeting_days,
                        attended_leaving.get(member_id, ()),
                        admitted_on=admitted_on,
                        on=on,
                        window_days=window,
                    )
                    if held and meetings_leave
                    else (),
                    since=admitted_on
                    if not held and admitted_on and admitted_on > window_first
                    else None,
                )
            else:
                all_hands = None
            if counts_circles:
                circle_held, circle_present = circle_attended.get(pk, no_circle_meetings)
                circle_attendance = rules.circle_attendance_rule(
                    attended=circle_present,
                    held=circle_held,
                    minimum_percent=circle_minimum,
                    minimum_count=circle_count,
                    window_days=window,
                    next_meeting_held=circle_held + 1 if member_id in circle_soon else None,
                    next_meeting_on=circle_soon.get(member_id),
                    leaving=circle_leaving_of(circle_leaving[pk], on=on, window_days=window)
                    if circle_held and pk in circle_leaving
                    else (),
                    since=admitted_on
                    if not circle_held and admitted_on and admitted_on > window_first
                    else None,
                    seated_since=seated_from.get(member_id) if not circle_held else None,
                )
            else:
                circle_attendance = None
            reasons = [
                commitment_rule(on=on, progress=progress, deadline=deadline, policy=bound),
                circle_rule(
                    circle_count=circles.get(member_id, 0),
                    on=on,
                    seated_until=seats_ending.get(member_id),
                ),
                *(
                    [all_hands]
                    if participation == "all_hands"
                    else rules.participation_rule(
                        participation, all_hands=all_hands, circles=circle_attendance
                    )
                ),
            ]
            if member_id in reseller:
                reports, payments, due_soon = reseller[member_id]
                reasons.append(
                    reseller_rule(
                        missing_reports=reports, unpaid_shares=payments, due_soon=due_soon
                    )
                )
        else:
            for who in accepted_by:
                if member_id not in who:
                    terms = terms_rule(
                        on=on,
                        required=[
                            (label, version, published_at, member_id in accepted)
                            for label, version, published_at, accepted in terms_required
                        ],
                        acceptance_days=today_policy.terms_acceptance_days,
                    )
                    break
            else:
                terms = rules.TERMS_OK
            unpaid = dues.get(pk, no_dues)
            reasons = [dues_rule(on=on, unpaid=unpaid, grace_days=grace_days), terms]
            next_check = dues_next.get(pk, NEVER)
            if unpaid:
                overdue_from = min(unpaid)[0] + grace_term + one_day
                if on < overdue_from < next_check:
                    next_check = overdue_from
        evaluation = Evaluation(pk, member_id, type_, status, reasons)
        evaluation.next_check = next_check
        append(evaluation)
    return evaluations
