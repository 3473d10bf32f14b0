"""Who someone is in the co-op (member, steward's admin, coordinator, treasurer, co-op admin)
and the work waiting for each role: what the home page after sign-in (/home/) shows.

Every count is read set-based from the selectors of the app that owns the rows, so the page
costs the same number of queries for one steward or fifty, one circle or ten.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists

from contributions.models import DuesInvoice, LedgerEntry, RevenueReport
from contributions.selectors import (
    dues_to_collect,
    labour_to_decide_by_circle,
    pending_money_queue,
    quarter_label,
    reports_due_for,
    shares_to_collect,
)
from governance.selectors import circles_coordinated_by, meetings_to_record
from meetcoop.core.roles import is_coop_admin, is_treasurer
from meetcoop.users.models import User
from membership.models import Membership
from membership.rules import AT_RISK_DAYS
from membership.selectors import members_of_user, warned_at_risk_counts_by_steward
from resellers.models import Steward
from resellers.selectors import undecided_counts_by_steward

from .report import last_status_runs

MEETINGS_SHOWN = 5


@dataclass(frozen=True)
class Roles:
    """What a login is in the co-op on a day. A person may hold several roles and a
    membership at once."""

    member: bool = False
    steward_admin: bool = False
    coordinator: bool = False
    treasurer: bool = False
    coop_admin: bool = False
    staff: bool = False

    @property
    def any_role(self) -> bool:
        return self.steward_admin or self.coordinator or self.treasurer or self.coop_admin


def roles_of(user, *, on: datetime.date) -> Roles:
    """The roles of ``user`` on ``on``, in at most two queries: its groups (cached on the
    user by ``meetcoop.core.roles``) and one that asks the rest at once."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    member, steward_admin, coordinator = (
        User.objects.filter(pk=user.pk)
        .annotate(
            is_member=Exists(members_of_user(user)),
            runs_steward=Exists(Steward.objects.filter(admins=user)),
            coordinates=Exists(circles_coordinated_by(user, on=on)),
        )
        .values_list("is_member", "runs_steward", "coordinates")
        .get()
    )
    return Roles(
        member=member,
        steward_admin=steward_admin,
        coordinator=coordinator,
        treasurer=is_treasurer(user),
        coop_admin=is_coop_admin(user),
        staff=bool(user.is_staff),
    )


def _steward_rows(stewards: list[Steward], *, on, now) -> list[dict]:
    """Per steward: applications to decide, the waiting list, members warned that they may
    lapse, and the revenue reports due. Four queries whatever the number of stewards."""
    ids = [s.pk for s in stewards]
    undecided = undecided_counts_by_steward(ids)
    at_risk = warned_at_risk_counts_by_steward(ids, now=now)
    reports = reports_due_for(Steward.objects.filter(pk__in=ids), on=on)
    return [
        {
            "steward": steward,
            "submitted": undecided.get(steward.pk, {}).get("submitted", 0),
            "waitlisted": undecided.get(steward.pk, {}).get("waitlisted", 0),
            "at_risk": at_risk.get(steward.pk, 0),
            "reports_due": [
                {
                    "quarter_start": q,
                    "quarter": quarter_label(q),
                    "due_on": due_on,
                    "overdue": due_on < on,
                }
                for q, due_on in reports.get(steward.pk, [])
            ],
        }
        for steward in stewards
    ]


def _totals(rows: list[dict]) -> dict:
    return {
        "submitted": sum(r["submitted"] for r in rows),
        "waitlisted": sum(r["waitlisted"] for r in rows),
        "at_risk": sum(r["at_risk"] for r in rows),
        "reports_due": [
            {**report, "steward": r["steward"]} for r in rows for report in r["reports_due"]
        ],
    }


def role_home(user, *, roles: Roles, on: datetime.date, now: datetime.datetime) -> dict:
    """Everything the home page shows ``user``, section by section; a section is None when
    the user does not hold its role. A fixed number of queries per section."""
    home: dict = {
        "roles": roles,
        "at_risk_days": AT_RISK_DAYS,
        "memberships": None,
        "stewards": None,
        "coop": None,
        "circles": None,
        "meetings": None,
        "treasury": None,
        "runs": None,
    }
    if roles.member:
        home["memberships"] = list(
            Membership.objects.filter(member__in=members_of_user(user))
            .select_related("member", "steward", "service_level")
            .order_by("member__name", "type")
        )
    if roles.steward_admin:
        # The stewards it runs: a co-op admin's whole-co-op view is below.
        administered = list(Steward.objects.filter(admins=user).order_by("kind", "name"))
        home["stewards"] = _steward_rows(administered, on=on, now=now)
    if roles.coop_admin:
        everyone = list(Steward.objects.order_by("kind", "name"))
        home["coop"] = {
            **_totals(_steward_rows(everyone, on=on, now=now)),
            "labour_pending": LedgerEntry.objects.filter(
                status=LedgerEntry.Status.PENDING, kind=LedgerEntry.Kind.LABOUR
            ).count(),
        }
        home["runs"] = last_status_runs(now=now)
    if roles.coordinator:
        home["circles"] = labour_to_decide_by_circle(user, on=on)
    if roles.coordinator or roles.coop_admin:
        waiting = meetings_to_record(user, on=on)
        home["meetings"] = {"shown": list(waiting[:MEETINGS_SHOWN]), "count": waiting.count()}
    if roles.treasurer:
        home["treasury"] = {
            **dues_to_collect(DuesInvoice.objects.all(), on=on),
            "shares": shares_to_collect(RevenueReport.objects.all(), on=on),
            "money_pending": pending_money_queue().count(),
        }
    return home
