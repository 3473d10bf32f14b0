"""Reads of the membership app."""

import bisect
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Policy
from .rules import status_from

# Older than any terms version: the "newest version accepted" of a member who accepted none.
NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


class PolicyMissing(ValidationError):
    """No policy is in force on the asked date. A validation error: a form that asks for a
    date before the first policy shows the message instead of failing."""


def policy_in_force(*, on: datetime.date) -> Policy:
    """The policy whose ``effective_from`` is the latest one on or before ``on``."""
    policy = Policy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        raise PolicyMissing(_("No policy is in force on %(date)s.") % {"date": on.isoformat()})
    return policy


def policies_by_date(dates) -> dict[datetime.date, Policy]:
    """The policy in force on each of ``dates``, in one query (for bulk jobs)."""
    policies = list(Policy.objects.order_by("effective_from"))
    return {day: _policy_for(day, policies) for day in set(dates)}


# --- the co-op report -------------------------------------------------------------------------


def status_counts_by_type() -> dict[str, dict[str, int]]:
    """{type: {status: count}} over all memberships, in one query."""
    from django.db.models import Count

    from .models import Membership

    result: dict[str, dict[str, int]] = {t: {} for t in Membership.Type.values}
    rows = Membership.objects.order_by().values_list("type", "status").annotate(n=Count("id"))
    for type_, status, n in rows:
        result[type_][status] = n
    return result


def status_counts_by_steward() -> list[dict]:
    """One row per steward with its memberships counted by status, in two queries."""
    from django.db.models import Count

    from resellers.models import Steward

    from .models import Membership

    counts: dict[int, dict[str, int]] = {}
    rows = Membership.objects.order_by().values_list("steward_id", "status").annotate(n=Count("id"))
    for steward_id, status, n in rows:
        counts.setdefault(steward_id, {})[status] = n
    return [
        {"steward": steward, "counts": counts.get(steward.pk, {})}
        for steward in Steward.objects.order_by("kind", "name")
    ]


def last_status_runs(*, now: datetime.datetime, stale_after_hours: int = 36) -> dict:
    """The last finished nightly run and the last run of any kind, and whether the nightly job
    looks stopped (no finished nightly run for ``stale_after_hours``)."""
    from .models import StatusRun

    last_nightly = (
        StatusRun.objects.filter(source="nightly", state="finished", dry_run=False)
        .order_by("-started_at")
        .first()
    )
    last_any = StatusRun.objects.order_by("-started_at").first()
    stale = last_nightly is None or (
        now - last_nightly.started_at > datetime.timedelta(hours=stale_after_hours)
    )
    return {"last_nightly": last_nightly, "last_any": last_any, "stale": stale}


def active_over_time(*, until: datetime.date, days: int = 365, step: int = 7) -> list[tuple]:
    """(date, active memberships) every ``step`` days over ``days`` days up to ``until``.

    Worked back from today's count through the status history: each change into ``active``
    after a date adds one to today's count that the date did not have, each change out of it
    subtracts one. Two queries, whatever the size of the co-op.
    """
    from django.db.models import Count, Q

    from .models import Membership, StatusChange

    start = until - datetime.timedelta(days=days)
    now_active = Membership.objects.filter(status=Membership.Status.ACTIVE).count()
    per_day = (
        StatusChange.objects.filter(effective_on__gt=start)
        .order_by()
        .values("effective_on")
        .annotate(
            into=Count("id", filter=Q(new_status="active") & ~Q(old_status="active")),
            out_of=Count("id", filter=Q(old_status="active") & ~Q(new_status="active")),
        )
        .values_list("effective_on", "into", "out_of")
    )
    net_after = sorted(per_day)  # (day, into, out_of)
    days_shown = [start + datetime.timedelta(days=n) for n in range(0, days, step)] + [until]
    return [
        (day, now_active - sum(i - o for d, i, o in net_after if d > day)) for day in days_shown
    ]


def svg_line_chart(points: list[tuple], *, width=720, height=240, pad=36) -> dict:
    """Coordinates for a plain SVG line chart of (date, value) points."""
    if not points:
        return {"width": width, "height": height, "path": "", "ticks": [], "points": []}
    values = [v for _d, v in points]
    top = max(max(values), 1)
    span = max(len(points) - 1, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def xy(i, v):
        return (pad + inner_w * i / span, pad + inner_h * (1 - v / top))

    coords = [xy(i, v) for i, (_d, v) in enumerate(points)]
    path = "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in coords)
    ticks = [{"y": f"{pad + inner_h * (1 - f):.1f}", "label": round(top * f)} for f in (0, 0.5, 1)]
    labels = [
        {"x": f"{coords[i][0]:.1f}", "label": points[i][0].isoformat()}
        for i in sorted({0, len(points) // 2, len(points) - 1})
    ]
    return {
        "width": width,
        "height": height,
        "path": path,
        "ticks": ticks,
        "labels": labels,
        "pad": pad,
        "bottom": height - pad,
        "right": width - pad,
        "points": [{"x": f"{x:.1f}", "y": f"{y:.1f}"} for x, y in coords],
        "first": points[0],
        "last": points[-1],
    }


# --- active status: facts gathered set-based, rules applied per row ----------------------------


MOVABLE = frozenset({"active", "lapsed"})


class Evaluation:
    """What the rules say of one membership on a date (worked out once, when made)."""

    __slots__ = (
        "membership_id",
        "member_id",
        "type",
        "status",
        "reasons",
        "computed",
        "new_status",
        "changes",
        "at_risk",
    )

    def __init__(self, membership_id, member_id, type, status, reasons):  # noqa: A002
        self.membership_id = membership_id
        self.member_id = member_id
        self.type = type
        self.status = status  # the status it has now
        self.reasons = reasons  # of membership.rules.Reason
        self.computed = computed = status_from(reasons)
        # What the nightly job sets: it moves only between active and lapsed.
        self.new_status = new_status = computed if status in MOVABLE else status
        self.changes = new_status != status
        self.at_risk = [r for r in reasons if r.at_risk and r.ok]

    def reasons_json(self) -> list[dict]:
        return [r.as_json() for r in self.reasons]

    def why(self) -> list:
        """The reasons that explain the status it gets: for a lapse the rules that fail (and
        any at risk), for an active membership every rule, all passing."""
        if self.computed == "active":
            return self.reasons
        return [r for r in self.reasons if not r.ok or r.at_risk]

    def why_json(self) -> list[dict]:
        return [r.as_json() for r in self.why()]


def policy_from(policies: list[Policy], day: datetime.date) -> Policy | None:
    """The policy in force on ``day`` among ``policies`` (ordered by ``effective_from``)."""
    index = bisect.bisect_right([p.effective_from for p in policies], day)
    return policies[index - 1] if index else None


def _policy_for(day: datetime.date, policies: list[Policy]) -> Policy:
    chosen = policy_from(policies, day)
    if chosen is None:
        raise PolicyMissing(_("No policy is in force on %(date)s.") % {"date": day.isoformat()})
    return chosen


def _circle_counts(memberships, on):
    from django.db.models import Count

    from governance.models import CircleRole
    from governance.selectors import seats_on

    rows = (
        CircleRole.objects.filter(seats_on(on), member_id__in=memberships.values("member_id"))
        .order_by()
        .values("member_id")
        .annotate(n=Count("circle_id", distinct=True))
        .values_list("member_id", "n")
    )
    return dict(rows)


def _next_all_hands_within(on, days):
    from governance.models import Meeting

    return Meeting.objects.filter(
        kind=Meeting.Kind.ALL_HANDS,
        held_on__gte=on,
        held_on__lte=on + datetime.timedelta(days=days),
    ).exists()


def _reseller_overdue_items(memberships, on) -> dict[int, tuple[list[str], list[str]]]:
    """{member_id: (quarters whose report is overdue, quarters whose share is unpaid)} for the
    members that run a reseller."""
    from contributions.selectors import quarter_label, resellers_standing_for
    from resellers.models import Steward

    stewards = Steward.objects.filter(
        kind=Steward.Kind.RESELLER, member_id__in=memberships.values("member_id")
    )
    owners = dict(stewards.values_list("pk", "member_id"))
    if not owners:
        return {}
    result: dict[int, tuple[list[str], list[str]]] = {}
    for steward_id, standing in resellers_standing_for(stewards, on=on).items():
        reports, payments = result.setdefault(owners[steward_id], ([], []))
        reports.extend(quarter_label(q) for q in standing.missing_quarters)
        payments.extend(quarter_label(q) for q in standing.unpaid_quarters)
    return result


def _terms_facts(memberships, on, acceptance_days) -> list[tuple]:
    """The terms versions a member must have accepted on ``on``, per document: the newest one
    past the acceptance period, and the newest one still inside it. For each, (document label,
    version, published_at, the set of member ids that accepted it or a newer version of the
    same document): a newer version accepted counts for the older ones.

    One query for the versions and one per required version (two per document at most).
    """
    from .models import TermsAcceptance, TermsVersion

    published = list(
        TermsVersion.objects.filter(published_at__date__lte=on).order_by("published_at")
    )
    required: list[TermsVersion] = []
    for document in sorted({v.document for v in published}):
        versions = [v for v in published if v.document == document]
        past = [
            v
            for v in versions
            if v.published_at.date() + datetime.timedelta(days=acceptance_days) < on
        ]
        if past:
            required.append(past[-1])
        if versions[-1] not in required:
            required.append(versions[-1])
    labels = {code: str(label) for code, label in TermsVersion.Document.choices}
    members = memberships.values("member_id")
    return [
        (
            labels[version.document],
            version.version,
            version.published_at,
            set(
                TermsAcceptance.objects.filter(
                    member_id__in=members,
                    terms_version__document=version.document,
                    terms_version__published_at__gte=version.published_at,
                )
                .order_by()
                .values_list("member_id", flat=True)
                .distinct()
            ),
        )
        for version in required
    ]


PARALLEL_FACTS = 3


def _gather(thunks: dict) -> dict:
    """Run the fact queries. On PostgreSQL outside a transaction (the nightly job), the first
    ``PARALLEL_FACTS`` run side by side, each on a connection of its own, so the database
    works on them with every core; inside a transaction (a request, a test) other connections
    could not see its rows, so everything runs in order on this connection."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    names = list(thunks)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return {name: thunks[name]() for name in names}

    def run_alone(name):
        try:
            return thunks[name]()
        finally:
            connections.close_all()  # this thread's connection, not the caller's

    with ThreadPoolExecutor(max_workers=PARALLEL_FACTS) as pool:
        futures = {name: pool.submit(run_alone, name) for name in names[:PARALLEL_FACTS]}
        results = {name: thunks[name]() for name in names[PARALLEL_FACTS:]}
        results.update({name: future.result() for name, future in futures.items()})
    return results


def status_evaluate(memberships, *, on: datetime.date) -> list[Evaluation]:
    """Apply DOMAIN.md's rules to every membership of the queryset ``memberships`` on ``on``.

    A fixed number of queries whatever the number of memberships: the rows, the policies, and
    one aggregate per fact (commitment, circles, attendance, reseller standing, dues, terms).
    The rules themselves run in Python over those facts (``membership.rules``).
    """
    from django.db.models import DateField
    from django.db.models.functions import Coalesce, TruncDate

    from contributions.selectors import approved_totals_by_member, progress_percent, unpaid_dues_for
    from governance.selectors import (
        all_hands_days,
        attendance_window,
        attended_counts,
        held_since,
    )

    from . import rules
    from .models import Membership

    memberships = memberships.order_by()
    policies = list(Policy.objects.order_by("effective_from"))
    today_policy = _policy_for(on, policies)
    created_day = TruncDate("created_at")
    rows = list(
        memberships.annotate(
            policy_day=Coalesce("applied_on", "admitted_on", created_day, output_field=DateField()),
            start_day=Coalesce("admitted_on", created_day, output_field=DateField()),
        ).values_list("pk", "member_id", "type", "status", "policy_day", "start_day", "admitted_on")
    )
    operational = memberships.filter(type=Membership.Type.OPERATIONAL)
    users = memberships.filter(type=Membership.Type.USER)
    has_operational = any(r[2] == Membership.Type.OPERATIONAL for r in rows)
    has_users = any(r[2] == Membership.Type.USER for r in rows)

    window = attendance_window(on=on, policy=today_policy)
    facts = _gather(
        {
            # The three large aggregates first: they run side by side where they can.
            "totals": lambda: (
                approved_totals_by_member(operational.values("member_id"), on=on)
                if has_operational
                else {}
            ),
            "attended": lambda: attended_counts(operational, window) if has_operational else {},
            "dues": lambda: unpaid_dues_for(users, on=on) if has_users else {},
            "circles": lambda: _circle_counts(operational, on) if has_operational else {},
            "meeting_days": lambda: all_hands_days(window) if has_operational else [],
            "meeting_soon": lambda: (
                has_operational and _next_all_hands_within(on, rules.AT_RISK_DAYS)
            ),
            "reseller": lambda: _reseller_overdue_items(operational, on) if has_operational else {},
            "terms_required": lambda: (
                _terms_facts(users, on, today_policy.terms_acceptance_days) if has_users else []
            ),
        }
    )
    totals, attended, dues = facts["totals"], facts["attended"], facts["dues"]
    circles, meeting_days = facts["circles"], facts["meeting_days"]
    meeting_soon, reseller = facts["meeting_soon"], facts["reseller"]
    terms_required = facts["terms_required"]
    zero = (Decimal("0"), Decimal("0"))
    minimum = today_policy.attendance_minimum_percent
    window = today_policy.attendance_window_days

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
    no_dues: list = []
    bound_by_day: dict[datetime.date, tuple] = {}
    evaluations = []
    append = evaluations.append
    for pk, member_id, type_, status, policy_day, start_day, admitted_on in rows:
        if type_ == operational_type:
            bound_and_term = bound_by_day.get(policy_day)
            if bound_and_term is None:
                bound = _policy_for(policy_day, policies)
                bound_and_term = bound_by_day[policy_day] = (
                    bound,
                    datetime.timedelta(days=bound.commitment_deadline_days),
                )
            bound, term = bound_and_term
            money, hours = totals.get(member_id, zero)
            held = held_since(meeting_days, admitted_on)
            reasons = [
                commitment_rule(
                    on=on,
                    progress=progress_percent(
                        money, hours, bound.commitment_money, bound.commitment_hours
                    ),
                    deadline=start_day + term,
                    policy=bound,
                ),
                circle_rule(circle_count=circles.get(member_id, 0)),
                attendance_rule(
                    attended=attended.get(pk, 0),
                    held=held,
                    minimum_percent=minimum,
                    window_days=window,
                    next_meeting_held=held + 1 if meeting_soon else None,
                ),
            ]
            if member_id in reseller:
                reports, payments = reseller[member_id]
                reasons.append(reseller_rule(missing_reports=reports, unpaid_shares=payments))
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
            reasons = [
                dues_rule(on=on, unpaid=dues.get(pk, no_dues), grace_days=grace_days),
                terms,
            ]
        append(Evaluation(pk, member_id, type_, status, reasons))
    return evaluations


# --- the member's dashboard --------------------------------------------------------------------


def member_dashboard(user, *, on: datetime.date, now: datetime.datetime) -> dict:
    """Everything ``/me/`` shows, for the members ``user`` acts for. The number of queries
    depends on how many memberships the user holds (one or two), not on the co-op's size."""
    from django.db.models import Exists, OuterRef

    from contributions.models import DuesInvoice
    from contributions.selectors import commitment_progress, invoices_with_paid
    from governance.models import Attendance, CircleRole, Meeting
    from governance.selectors import attendance_window, open_proposals_for_user, seats_on

    from .models import Member, Membership, TermsVersion
    from .reasons import reason_advice, reason_text

    members = list(Member.objects.filter(contact_links__user=user).order_by("kind", "name"))
    memberships = list(
        Membership.objects.filter(member__in=members)
        .select_related("member", "steward", "service_level")
        .order_by("type", "pk")
    )
    evaluations = (
        {
            e.membership_id: e
            for e in status_evaluate(
                Membership.objects.filter(pk__in=[m.pk for m in memberships]), on=on
            )
        }
        if memberships
        else {}
    )
    first, last = attendance_window(on=on)
    meetings = list(
        Meeting.objects.filter(
            kind=Meeting.Kind.ALL_HANDS,
            held_on__gte=first,
            held_on__lte=last,
            attendance_recorded_at__isnull=False,
        )
        .annotate(
            attended=Exists(Attendance.objects.filter(meeting=OuterRef("pk"), member__in=members))
        )
        .order_by("-held_on")
    )
    upcoming = list(
        Meeting.objects.filter(kind=Meeting.Kind.ALL_HANDS, held_on__gte=on).order_by("held_on")[:3]
    )
    cards = []
    for membership in memberships:
        evaluation = evaluations.get(membership.pk)
        reasons = [
            {
                **r.as_json(),
                "text": reason_text(r.as_json()),
                "advice": "" if r.ok and not r.at_risk else reason_advice(r.as_json()),
            }
            for r in (evaluation.reasons if evaluation else [])
        ]
        card = {
            "membership": membership,
            "reasons": reasons,
            "computed": evaluation.computed if evaluation else membership.status,
            "at_risk": bool(evaluation and evaluation.at_risk),
            "todo": [r["advice"] for r in reasons if r["advice"]],
        }
        if membership.type == Membership.Type.OPERATIONAL:
            card["progress"] = commitment_progress(membership, on=on)
            admitted = membership.admitted_on
            card["meetings"] = [m for m in meetings if admitted is None or m.held_on >= admitted]
        else:
            card["invoices"] = list(
                invoices_with_paid(
                    DuesInvoice.objects.filter(membership=membership), on=on
                ).order_by("-period_start")[:6]
            )
        cards.append(card)
    seats = list(
        CircleRole.objects.filter(seats_on(on), member__in=members)
        .select_related("circle", "member")
        .order_by("circle__name")
    )
    accepted = set(
        TermsVersion.objects.filter(acceptances__member__in=members).values_list("pk", flat=True)
    )
    latest_terms = {}
    for version in TermsVersion.objects.filter(published_at__lte=now).order_by("published_at"):
        latest_terms[version.document] = version
    terms_to_accept = [v for v in latest_terms.values() if v.pk not in accepted]
    return {
        "members": members,
        "cards": cards,
        "seats": seats,
        "upcoming_meetings": upcoming,
        "proposals": list(open_proposals_for_user(user, now=now)[:20]),
        "terms_to_accept": terms_to_accept,
    }


# --- a member's own data, to download ---------------------------------------------------------


def member_data(user, *, now: datetime.datetime) -> dict:
    """Everything the co-op holds about ``user`` and the members it speaks for (itself, or the
    organisations it is a contact of), as plain values for a JSON download: the account, each
    member with its memberships and their status history (reasons in words and as codes),
    terms accepted, ledger, dues, circle seats, attendance, stances and applications, and, for
    a reseller, its revenue reports. A fixed number of queries, whatever the amounts.

    Who decided or recorded each item is left out: that is the co-op's data about its people.
    """
    import functools
    import operator

    from django.db.models import F, Q

    from contributions.models import DuesInvoice, DuesPayment, LedgerEntry, RevenueReport
    from governance.models import Attendance, CircleRole, StanceRecord
    from governance.selectors import members_of_user
    from resellers.models import Application

    from .models import Membership, StatusChange, TermsAcceptance
    from .reasons import reason_text

    members = list(
        members_of_user(user)
        .order_by("pk")
        .values(
            "id", "kind", "name", "organisation_name", "email", "country", "language", "created_at"
        )
    )
    ids = [m["id"] for m in members]
    emails = {m["email"].lower() for m in members} | {user.email.lower()}

    def by_member(rows, key="member_id"):
        grouped: dict[int, list] = {pk: [] for pk in ids}
        for row in rows:
            grouped[row.pop(key)].append(row)
        return grouped

    memberships = list(
        Membership.objects.filter(member_id__in=ids)
        .order_by("pk")
        .values(
            "id",
            "member_id",
            "type",
            "status",
            "applied_on",
            "admitted_on",
            "ended_on",
            "created_at",
            steward_name=F("steward__name"),
            service_level_name=F("service_level__name"),
        )
    )
    changes: dict[int, list] = {m["id"]: [] for m in memberships}
    for change in (
        StatusChange.objects.filter(membership__member_id__in=ids)
        .order_by("changed_at", "pk")
        .values(
            "membership_id",
            "old_status",
            "new_status",
            "effective_on",
            "changed_at",
            "source",
            "reasons",
            "note",
        )
    ):
        change["reasons"] = [
            {"code": r.get("code"), "ok": r.get("ok"), "text": reason_text(r)}
            for r in change["reasons"]
        ]
        changes[change.pop("membership_id")].append(change)
    invoices = list(
        DuesInvoice.objects.filter(membership__member_id__in=ids)
        .order_by("due_on", "pk")
        .values("id", "membership_id", "period_start", "period_end", "amount", "currency", "due_on")
    )
    payments: dict[int, list] = {i["id"]: [] for i in invoices}
    for payment in (
        DuesPayment.objects.filter(invoice__membership__member_id__in=ids)
        .order_by("paid_on", "pk")
        .values("invoice_id", "amount", "currency", "paid_on", "note")
    ):
        payments[payment.pop("invoice_id")].append(payment)
    dues: dict[int, list] = {m["id"]: [] for m in memberships}
    for invoice in invoices:
        invoice["payments"] = payments[invoice.pop("id")]
        dues[invoice.pop("membership_id")].append(invoice)
    for membership in memberships:
        membership["status_history"] = changes[membership["id"]]
        membership["dues_invoices"] = dues[membership.pop("id")]

    grouped = {
        "memberships": by_member(memberships),
        "terms_accepted": by_member(
            TermsAcceptance.objects.filter(member_id__in=ids)
            .order_by("accepted_at", "pk")
            .values(
                "member_id",
                "accepted_at",
                document=F("terms_version__document"),
                version=F("terms_version__version"),
            )
        ),
        "ledger": by_member(
            LedgerEntry.objects.filter(member_id__in=ids)
            .order_by("occurred_on", "pk")
            .values(
                "id",
                "member_id",
                "kind",
                "occurred_on",
                "description",
                "amount",
                "currency",
                "eur_rate",
                "eur_value",
                "hours",
                "status",
                "logged_at",
                "decided_at",
                "decision_note",
                "reverses_id",
                "reason",
                circle_name=F("circle__name"),
            )
        ),
        "circle_seats": by_member(
            CircleRole.objects.filter(member_id__in=ids)
            .order_by("started_on", "pk")
            .values("member_id", "role", "started_on", "ended_on", circle_name=F("circle__name"))
        ),
        "attendance": by_member(
            Attendance.objects.filter(member_id__in=ids)
            .order_by("meeting__held_on", "pk")
            .values(
                "member_id",
                meeting_title=F("meeting__title"),
                held_on=F("meeting__held_on"),
                meeting_kind=F("meeting__kind"),
            )
        ),
        "stances": by_member(
            StanceRecord.objects.filter(voter__member_id__in=ids)
            .order_by("cast_at", "pk")
            .values(
                "stance",
                "reason",
                "cast_at",
                member_id=F("voter__member_id"),
                proposal_title=F("voter__proposal__title"),
            )
        ),
        "revenue_reports": by_member(
            RevenueReport.objects.filter(steward__member_id__in=ids)
            .order_by("quarter_start", "pk")
            .values(
                "quarter_start",
                "quarter_end",
                "revenue",
                "currency",
                "revenue_eur",
                "share_percent",
                "share_eur",
                "due_on",
                "reported_at",
                member_id=F("steward__member_id"),
            )
        ),
    }
    applications = list(
        Application.objects.filter(
            functools.reduce(
                operator.or_, [Q(email__iexact=email) for email in emails], Q(member_id__in=ids)
            )
        )
        .order_by("submitted_at", "pk")
        .values(
            "status",
            "submitted_at",
            "kind",
            "name",
            "organisation_name",
            "email",
            "country",
            "language",
            "type",
            "pledge_money",
            "pledge_hours",
            "pledge_resources_value",
            "pledge_resources_description",
            "statement",
            "decided_at",
            "decision_reason",
            steward_name=F("steward__name"),
            service_level_name=F("service_level__name"),
        )
    )
    return {
        "exported_at": now,
        "account": {
            "email": user.email,
            "name": getattr(user, "name", ""),
            "language": getattr(user, "language", ""),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "members": [
            {**member, **{part: rows[member["id"]] for part, rows in grouped.items()}}
            for member in members
        ],
        "applications": applications,
    }
