"""Everything the member's dashboard (/me/) shows."""

import datetime

from django_celery_beat.models import PeriodicTask

from contributions.models import DuesInvoice
from contributions.selectors import commitment_progress, invoices_with_paid
from governance.models import CircleRole, Meeting
from governance.selectors import (
    attendance_window,
    counted_meetings,
    meetings_since,
    open_proposals_for_user,
    seats_on,
)
from membership.models import Membership, TermsVersion
from membership.reasons import reason_advice, reason_text, status_change_words
from membership.selectors import latest_status_changes, members_of_user, terms_in_force

from .status import status_evaluate

NIGHTLY_TASK = "standing.tasks.recompute_status_nightly"
HISTORY_SHOWN = 5


def next_nightly_check(*, now: datetime.datetime) -> datetime.datetime | None:
    """When the nightly status job runs next, from its schedule in the database
    (django-celery-beat's periodic task and its crontab, editable in the admin); None when it
    is not scheduled there (disabled, or run by cron instead). One query."""
    task = (
        PeriodicTask.objects.filter(task=NIGHTLY_TASK, enabled=True, crontab__isnull=False)
        .select_related("crontab")
        .order_by("pk")
        .first()
    )
    if task is None:
        return None
    try:
        remaining = task.crontab.schedule.remaining_estimate(now)
    except (ValueError, TypeError):  # a crontab that can't be read: say "tonight"
        return None
    # The estimate runs a fraction of a second short of the minute the crontab names.
    moment = now + remaining + datetime.timedelta(seconds=30)
    return moment.replace(second=0, microsecond=0)


def member_dashboard(user, *, on: datetime.date, now: datetime.datetime) -> dict:
    """Everything ``/me/`` shows, for the members ``user`` acts for. The number of queries
    depends on how many memberships the user holds (one or two), not on the co-op's size."""
    members = list(members_of_user(user).order_by("kind", "name"))
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
    meetings = list(
        counted_meetings(attendance_window(on=on), attended_by=members).order_by("-held_on")
    )
    upcoming = list(
        Meeting.objects.filter(kind=Meeting.Kind.ALL_HANDS, held_on__gte=on).order_by("held_on")[:3]
    )
    history = latest_status_changes(memberships, count=HISTORY_SHOWN)
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
            "history": [
                (change, status_change_words(change))
                for change in history[membership.pk]["changes"]
            ],
            "history_total": history[membership.pk]["total"],
        }
        if membership.type == Membership.Type.OPERATIONAL:
            card["progress"] = commitment_progress(membership, on=on)
            card["meetings"] = meetings_since(meetings, membership.admitted_on)
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
    # Terms are accepted for a member: a login with none has nothing to accept.
    terms_to_accept = (
        [v for v in terms_in_force(at=now).values() if v.pk not in accepted] if members else []
    )
    return {
        "members": members,
        "cards": cards,
        "seats": seats,
        "upcoming_meetings": upcoming,
        "proposals": list(open_proposals_for_user(user, now=now)[:20]),
        "terms_to_accept": terms_to_accept,
        "next_check": next_nightly_check(now=now) if memberships else None,
    }
