"""Everything the member's dashboard (/me/) shows."""

import copy
import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from contributions.models import Compensation, DuesInvoice, PledgeInvoice
from contributions.selectors import (
    approved_totals_by_member,
    compensation_balances,
    invoices_with_paid,
    pledge_invoices_with_paid,
    progress_of,
    unpaid_dues_among,
)
from governance.models import CircleRole, Meeting
from governance.selectors import (
    attendance_window,
    attended_since,
    circle_attendance_of,
    counted_and_upcoming_meetings,
    meetings_since,
    open_proposals_for_user,
    seated_through,
)
from membership import rules
from membership.models import Membership, Policy, TermsVersion
from membership.reasons import reason_advice, reason_text, status_change_words
from membership.selectors import (
    latest_status_changes,
    members_of_user,
    policy_day_expression,
    policy_on,
    terms_in_force_among,
)
from resellers.models import Steward

from ..oidc.selectors import services_used
from .erasure import erasable_members, erasable_rows, erasure_annotations
from .status import (
    leaving_zone,
    required_terms,
    reseller_overdue_items,
    start_day_expression,
    status_apply,
    terms_fact,
)

INVOICES_SHOWN = 6
ZERO = Decimal("0")

NIGHTLY_TASK = "standing.tasks.recompute_status_nightly"
HISTORY_SHOWN = 5


NIGHTLY_SCHEDULE_CACHE = "standing:nightly-schedule"
NIGHTLY_SCHEDULE_SECONDS = 600


def nightly_schedule() -> CrontabSchedule | None:
    """The crontab of the nightly status job (django-celery-beat's periodic task, editable in
    the admin), or None when it is not scheduled there (disabled, or run by cron instead).
    Kept in the cache for ten minutes, and forgotten as soon as a periodic task or a crontab
    is saved or deleted (``standing.receivers``): one query per ten minutes, not per page."""
    cached = cache.get(NIGHTLY_SCHEDULE_CACHE)
    if cached is None:
        task = (
            PeriodicTask.objects.filter(task=NIGHTLY_TASK, enabled=True, crontab__isnull=False)
            .select_related("crontab")
            .order_by("pk")
            .first()
        )
        cached = task.crontab if task is not None else False
        cache.set(NIGHTLY_SCHEDULE_CACHE, cached, NIGHTLY_SCHEDULE_SECONDS)
    return cached or None


def next_nightly_check(*, now: datetime.datetime) -> datetime.datetime | None:
    """When the nightly status job runs next, from its schedule (``nightly_schedule``); None
    when it is not scheduled in the database."""
    crontab = nightly_schedule()
    if crontab is None:
        return None
    try:
        remaining = crontab.schedule.remaining_estimate(now)
    except (ValueError, TypeError):  # a crontab that can't be read: say "tonight"
        return None
    # The estimate runs a fraction of a second short of the minute the crontab names.
    moment = now + remaining + datetime.timedelta(seconds=30)
    return moment.replace(second=0, microsecond=0)


def dashboard_without_policy(user, *, reason: str) -> dict:
    """What ``/me/`` can show when no policy binds a membership (none set yet, the first
    starts later, or a membership bound by a day before the first): each membership with the
    status it holds, and what needs no policy (the language, the data download, the request
    to be forgotten), with ``reason`` in place of the rules, which can't be evaluated."""
    members = list(members_of_user(user).order_by("kind", "name"))
    memberships = list(
        Membership.objects.filter(member__in=members)
        .select_related("member", "steward", "service_level")
        .order_by("type", "pk")
    )
    history = latest_status_changes(memberships, count=HISTORY_SHOWN)
    return {
        "members": members,
        "cards": [
            {
                "membership": m,
                "history": [
                    (change, status_change_words(change)) for change in history[m.pk]["changes"]
                ],
                "history_total": history[m.pk]["total"],
            }
            for m in memberships
        ],
        "erasable": erasable_members(user),
        "policy_missing": reason,
    }


def member_dashboard(user, *, on: datetime.date, now: datetime.datetime) -> dict:
    """Everything ``/me/`` shows, for the members ``user`` acts for, in a fixed number of
    queries whatever their history (invoices, meetings, seats, proposals, ledger rows).

    What the page shows is also what the status rules need for these one or two members: the
    approved totals, the meetings and who attended, the invoices, the seats, the terms. So it
    reads each once and hands the same facts to the rules (``status_apply``), instead of
    reading them again with the nightly job's set-based queries (``status_evaluate``), which
    give the same evaluation (tests/standing/test_dashboard_queries.py compares them).
    """
    stewards = Steward.objects.filter(kind=Steward.Kind.RESELLER, member=OuterRef("pk"))
    members = list(
        members_of_user(user)
        .annotate(
            reseller_id=Subquery(stewards.values("pk")[:1]),
            # Whether the co-op owes (or owed) them for hours: the sums are read only then.
            has_compensation=Exists(Compensation.objects.filter(member=OuterRef("pk"))),
            # Whether it may ask to be forgotten (every membership ended; docs/erasure.md).
            **erasure_annotations(),
        )
        .order_by("kind", "name")
    )
    if not members:
        # Terms are accepted for a member: a login with none has nothing to accept.
        return {
            "members": [],
            "cards": [],
            "seats": [],
            "upcoming_meetings": [],
            "proposals": [],
            "terms_to_accept": [],
            "owed": [],
            "open_invoices": [],
            "erasable": [],
            "services": [],
        }
    member_ids = [m.pk for m in members]
    # Every published version, each row joined to the acceptances of these members (one
    # query): (member, version, document, published) of every version they accepted.
    versions_by_pk: dict[int, TermsVersion] = {}
    acceptances = []
    for row in (
        TermsVersion.objects.filter(published_at__date__lte=on)
        .annotate(
            theirs=FilteredRelation("acceptances", condition=Q(acceptances__member__in=member_ids)),
            acceptor=F("theirs__member_id"),
        )
        .order_by("pk")
    ):
        versions_by_pk.setdefault(row.pk, row)
        if row.acceptor is not None:
            acceptances.append((row.acceptor, row.pk, row.document, row.published_at))
    versions = list(versions_by_pk.values())
    memberships = list(
        Membership.objects.filter(member__in=member_ids)
        .select_related("member", "steward", "service_level")
        .annotate(policy_day=policy_day_expression(), start_day=start_day_expression())
        .order_by("type", "pk")
    )
    operational = [m for m in memberships if m.type == Membership.Type.OPERATIONAL]
    users = [m for m in memberships if m.type == Membership.Type.USER]
    policies = list(Policy.objects.order_by("effective_from")) if memberships else []
    today_policy = policy_on(on, policies) if memberships else None
    window = attendance_window(on=on, policy=today_policy) if operational else None
    zone = leaving_zone(on, today_policy.attendance_window_days) if operational else None
    counts_circles = bool(operational) and today_policy.counts_circles
    # The seats held today and those starting in the coming days (whether the seating goes
    # on past the days a member is warned before: the day after them too); while circle
    # meetings count, every seat held in the window too (a circle meeting counts for those
    # seated on its day).
    seats_last = on + datetime.timedelta(days=rules.AT_RISK_DAYS + 1)
    all_seats = list(
        CircleRole.objects.filter(
            Q(started_on__lte=seats_last)
            & (Q(ended_on__isnull=True) | Q(ended_on__gte=window[0] if counts_circles else on)),
            member__in=member_ids,
        )
        .select_related("circle", "member")
        .order_by("circle__name", "started_on")
    )
    seats = [
        s for s in all_seats if s.started_on <= on and (s.ended_on is None or s.ended_on >= on)
    ]
    # (member, version, document, published) of every version these members accepted.
    accepted = {version_id for _member, version_id, _doc, _published in acceptances}
    # Terms are accepted for a member: a login with none has nothing to accept.
    terms_to_accept = (
        [v for v in terms_in_force_among(versions, at=now).values() if v.pk not in accepted]
        if members
        else []
    )

    meetings, totals, invoices = [], {}, []
    circle_attended, circle_soon, circle_leaving = {}, {}, {}
    if not operational:
        upcoming = list(
            Meeting.objects.filter(kind=Meeting.Kind.ALL_HANDS, held_on__gte=on).order_by(
                "held_on"
            )[:3]
        )
    if operational:
        meetings, upcoming, circle_meetings = counted_and_upcoming_meetings(
            window,
            by=[m.member_id for m in operational],
            on=on,
            circle_ids={s.circle_id for s in all_seats} if counts_circles else None,
            soon_days=rules.AT_RISK_DAYS,
        )
        totals = approved_totals_by_member([m.member_id for m in operational], on=on)
        if counts_circles:
            # From the same meetings and seats: no query more (see circle_attendance_of).
            for m in operational:
                circle_attended[m.pk], soon, leaving = circle_attendance_of(
                    circle_meetings,
                    all_seats,
                    member_id=m.member_id,
                    admitted_on=m.admitted_on,
                    window=window,
                    on=on,
                    soon_days=rules.AT_RISK_DAYS,
                    zone=zone,
                )
                if soon is not None:
                    circle_soon[m.member_id] = soon
                if leaving:
                    circle_leaving[m.pk] = leaving
    if users:
        invoices = list(
            invoices_with_paid(DuesInvoice.objects.filter(membership__in=users), on=on).order_by(
                "membership_id", "-period_start"
            )
        )

    # The pledge invoices of the operational memberships, with what is paid: one query, and
    # none for a person without an operational membership.
    pledges = (
        list(
            pledge_invoices_with_paid(
                PledgeInvoice.objects.filter(membership__in=operational), on=on
            ).order_by("due_on", "pk")
        )
        if operational
        else []
    )

    owners = _reseller_owners(members, operational)
    facts = {
        "totals": totals,
        "attended": {
            m.pk: attended_since(meetings, m.member_id, m.admitted_on) for m in operational
        },
        "dues": unpaid_dues_among(invoices, on=on),
        "circles": {
            member_id: len({s.circle_id for s in seats if s.member_id == member_id})
            for member_id in {s.member_id for s in seats}
        },
        # Where the meetings of its circles start to count for a member seated inside the
        # window: from the seats already read (those held in the window, while they count).
        "seated_from": _seated_from(all_seats, on=on, first=window[0]) if window else {},
        "seats_ending": {
            member_id: last
            for member_id in {m.member_id for m in operational}
            if (
                last := seated_through(
                    [(s.started_on, s.ended_on) for s in all_seats if s.member_id == member_id],
                    on=on,
                    days=rules.AT_RISK_DAYS,
                )
            )
            is not None
        },
        "meeting_days": sorted(m.held_on for m in meetings),
        # The days of the counted meetings each attended (status_apply reads those about
        # to leave the window): from the same meetings, no query.
        "attended_leaving": {
            member_id: [m.held_on for m in meetings if member_id in m.attendees]
            for member_id in {m.member_id for m in operational}
        },
        # The day of the next All Hands Meeting within the at-risk days, or None.
        "meeting_soon": upcoming[0].held_on
        if operational
        and upcoming
        and upcoming[0].held_on <= on + datetime.timedelta(days=rules.AT_RISK_DAYS)
        else None,
        "reseller": reseller_overdue_items(list(owners), owners, on=on),
        "circle_attended": circle_attended,
        "circle_meeting_soon": circle_soon,
        "circle_leaving": circle_leaving,
        "terms_required": [
            terms_fact(
                version,
                {
                    member_id
                    for member_id, _version, document, published in acceptances
                    if document == version.document and published >= version.published_at
                },
            )
            for version in (
                required_terms(versions, on=on, acceptance_days=today_policy.terms_acceptance_days)
                if users
                else []
            )
        ],
    }
    rows = [
        (m.pk, m.member_id, m.type, m.status, m.policy_day, m.start_day, m.admitted_on)
        for m in memberships
    ]
    evaluations = {e.membership_id: e for e in status_apply(rows, facts, on=on, policies=policies)}

    history = latest_status_changes(memberships, count=HISTORY_SHOWN)
    cards = []
    for membership in memberships:
        evaluation = evaluations[membership.pk]
        reasons = [
            {
                **r.as_json(),
                "text": reason_text(r.as_json()),
                "advice": "" if r.ok and not r.at_risk else reason_advice(r.as_json()),
            }
            for r in evaluation.reasons
        ]
        card = {
            "membership": membership,
            "reasons": reasons,
            "computed": evaluation.computed,
            "at_risk": bool(evaluation.at_risk),
            "todo": [r["advice"] for r in reasons if r["advice"]],
            "history": [
                (change, status_change_words(change))
                for change in history[membership.pk]["changes"]
            ],
            "history_total": history[membership.pk]["total"],
        }
        if membership.type == Membership.Type.OPERATIONAL:
            bound = policy_on(membership.policy_day, policies)
            card["progress"] = progress_of(
                *totals.get(membership.member_id, (ZERO, ZERO)),
                commitment_money=bound.commitment_money,
                commitment_hours=bound.commitment_hours,
                currency=bound.currency,
            )
            card["meetings"] = _attended_by(
                meetings_since(meetings, membership.admitted_on), membership.member_id
            )
        else:
            card["invoices"] = [i for i in invoices if i.membership_id == membership.pk][
                :INVOICES_SHOWN
            ]
        cards.append(card)
    # What the co-op owes, for hours: one query, and none for members it never owed.
    owed_to = [m.pk for m in members if m.has_compensation]
    balances = compensation_balances(owed_to) if owed_to else {}
    return {
        "members": members,
        "erasable": erasable_rows(members),
        "cards": cards,
        "seats": seats,
        "upcoming_meetings": upcoming,
        "proposals": list(open_proposals_for_user(user, now=now)[:20]),
        "terms_to_accept": terms_to_accept,
        "next_check": next_nightly_check(now=now) if memberships else None,
        "owed": [(member, balances[member.pk]) for member in members if member.pk in balances],
        "open_invoices": _open_invoices(memberships, invoices, pledges),
        # The co-op's services the person signed in to, with the last time (one query).
        "services": services_used(user),
    }


def _open_invoices(memberships, invoices, pledges) -> list[dict]:
    """The dues and pledge invoices not fully paid, oldest due first, each with its
    membership (read with its member) and what is outstanding; no query."""
    by_pk = {m.pk: m for m in memberships}
    rows = [
        {
            "kind": kind,
            "invoice": invoice,
            "membership": by_pk[invoice.membership_id],
            "outstanding": invoice.amount - invoice.paid,
        }
        for kind, some in (("dues", invoices), ("pledge", pledges))
        for invoice in some
        if invoice.paid < invoice.amount
    ]
    return sorted(rows, key=lambda row: (row["invoice"].due_on, row["kind"], row["invoice"].pk))


def _seated_from(seats, *, on: datetime.date, first: datetime.date) -> dict[int, datetime.date]:
    """{member_id: the first day of its ``seats`` held from ``first`` to ``on``, when after
    ``first``}: what ``status_facts`` reads as ``seated_from``, in Python over seats read."""
    earliest: dict[int, datetime.date] = {}
    for seat in seats:
        if seat.started_on <= on and (seat.ended_on is None or seat.ended_on >= first):
            known = earliest.get(seat.member_id)
            if known is None or seat.started_on < known:
                earliest[seat.member_id] = seat.started_on
    return {member_id: day for member_id, day in earliest.items() if day > first}


def _reseller_owners(members, operational) -> dict[int, int]:
    """{steward id: member id} of the resellers run by the members of ``operational``
    memberships (the members were read with their ``reseller_id``)."""
    holders = {m.member_id for m in operational}
    return {m.reseller_id: m.pk for m in members if m.reseller_id and m.pk in holders}


def _attended_by(meetings, member_id) -> list[Meeting]:
    """``meetings`` each with ``attended``: whether the member of this card attended it."""
    shown = []
    for meeting in meetings:
        meeting = copy.copy(meeting)
        meeting.attended = member_id in meeting.attendees
        shown.append(meeting)
    return shown
