"""The last demo seeder: bring the demo co-op into the shape a real one has, then let the
status job decide, so that the dashboard, the report and ``recompute_status --dry-run`` show
a living co-op: most members active, a few at risk, a couple lapsed, with a year of history.

Everything goes through the services (a treasurer records and approves money, resellers file
their reports), keyed so that a second run adds nothing.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

# Operational members left short of their commitment on purpose (they lapse, with reasons).
SHORT_OF_COMMITMENT = {"member04@example.org", "member08@example.org"}
TOP_UP = "Yearly contribution (demo)"


def _treasurer():
    from meetcoop.users.models import User

    return User.objects.filter(email="treasurer@meet.coop.example").first() or User.objects.get(
        email="admin@meet.coop.example"
    )


def _top_up_commitments(today, treasurer):
    from contributions.models import LedgerEntry
    from contributions.selectors import commitment_progress_for
    from contributions.services import entry_approve, money_record
    from membership.models import Membership
    from membership.selectors import policy_in_force

    operational = Membership.objects.filter(type="operational", status__in=["active", "lapsed"])
    for membership_id, progress in commitment_progress_for(operational, on=today).items():
        membership = Membership.objects.select_related("member").get(pk=membership_id)
        member = membership.member
        if member.email in SHORT_OF_COMMITMENT or progress >= 100:
            continue
        if LedgerEntry.objects.filter(member=member, description=TOP_UP).exists():
            continue
        policy = policy_in_force(on=membership.policy_date)
        missing = (Decimal("100") - progress) * policy.commitment_money / Decimal("100")
        entry = money_record(
            member=member,
            amount=missing.quantize(Decimal("0.01")) + Decimal("0.01"),
            currency=policy.currency,
            received_on=today - datetime.timedelta(days=40),
            description=TOP_UP,
            actor=treasurer,
            on=today,
        )
        entry_approve(entry=entry, actor=treasurer, on=today)


LATE_PAYER = "maple-rooms"  # reports on time but owes its last quarter's share


def _file_revenue_reports(today, treasurer):
    """Each reseller reports and pays every quarter that is due, but one pays late."""
    from contributions.models import RevenueReport
    from contributions.selectors import resellers_standing_for
    from contributions.services import revenue_report_submit, revenue_share_payment_record
    from resellers.models import Steward

    resellers = Steward.objects.filter(kind="reseller", member__isnull=False)
    for steward_id, standing in resellers_standing_for(resellers, on=today).items():
        steward = Steward.objects.get(pk=steward_id)
        admin = steward.admins.first() or treasurer
        for quarter in standing.missing_quarters:
            revenue_report_submit(
                steward=steward,
                quarter_start=quarter,
                revenue=Decimal("1200.00"),
                currency=steward.currencies[0],
                eur_rate=Decimal("0.68") if steward.currencies[0] == "CAD" else None,
                actor=admin,
                on=today,
            )
        quarters = sorted(standing.unpaid_quarters + standing.missing_quarters)
        if steward.slug == LATE_PAYER:
            quarters = quarters[:-1]
        for quarter in quarters:
            report = RevenueReport.objects.get(steward=steward, quarter_start=quarter)
            owed = report.share_eur - sum(p.amount_eur for p in report.payments.all())
            if owed > 0:
                revenue_share_payment_record(
                    report=report, amount_eur=owed, paid_on=today, actor=treasurer, on=today
                )


def _history_of_joins():
    """The day each membership became active, so the report draws the co-op's growth."""
    from membership.models import Membership, StatusChange

    for membership in Membership.objects.exclude(admitted_on=None).exclude(status="pending"):
        if StatusChange.objects.filter(membership=membership, source="application").exists():
            continue
        StatusChange.objects.create(
            membership=membership,
            old_status="pending",
            new_status="active",
            effective_on=membership.admitted_on,
            changed_at=timezone.make_aware(
                datetime.datetime.combine(membership.admitted_on, datetime.time(12))
            ),
            source="application",
            reasons=[],
            note="Admitted.",
        )


def _history_of_lapses(today):
    """The demo's lapsed and suspended memberships were made in that status: write the change
    that led there, so that every membership's history ends in the status it has. A lapse
    is written as a nightly check's, with the rules that fail today; a suspension as a
    person's, with a note."""
    from membership.models import Membership, StatusChange

    from ..selectors import status_evaluate

    settled = Membership.objects.filter(status__in=["lapsed", "suspended"]).exclude(
        admitted_on=None
    )
    for membership in settled.order_by("pk"):
        last = (
            StatusChange.objects.filter(membership=membership)
            .order_by("-effective_on", "-changed_at", "-id")
            .first()
        )
        if last is not None and last.new_status == membership.status:
            continue
        day = max(
            membership.admitted_on + datetime.timedelta(days=1), today - datetime.timedelta(days=20)
        )
        reasons, note = [], ""
        if membership.status == "lapsed":
            evaluation = next(
                iter(status_evaluate(Membership.objects.filter(pk=membership.pk), on=today)), None
            )
            failing = [r.as_json() for r in evaluation.reasons if not r.ok] if evaluation else []
            reasons = failing
            note = "" if failing else "Lapsed at the nightly check."
        else:
            note = "Suspended: rooms resold to third parties, against the Fair Use Agreement."
        StatusChange.objects.create(
            membership=membership,
            old_status=last.new_status if last is not None else "active",
            new_status=membership.status,
            effective_on=day,
            changed_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(2, 30))),
            source="nightly" if membership.status == "lapsed" else "person",
            reasons=reasons,
            note=note,
        )


PAID_TODAY = "member04@example.org"
GRACE_ENDED = "member15@example.org"


def _changes_since_last_night(today, treasurer):
    """What happened today, for ``recompute_status --dry-run`` to find: a lapsed member paid
    the rest of its commitment, and a user member's grace period ended yesterday."""
    from contributions.models import DuesInvoice, LedgerEntry
    from contributions.services import entry_approve, money_record
    from membership.models import Membership

    paid = "The rest of the commitment (demo)"
    member = Membership.objects.get(member__email=PAID_TODAY, type="operational").member
    if not LedgerEntry.objects.filter(member=member, description=paid).exists():
        entry = money_record(
            member=member,
            amount=Decimal("500.00"),
            currency="EUR",
            received_on=today,
            description=paid,
            actor=treasurer,
            on=today,
        )
        entry_approve(entry=entry, actor=treasurer, on=today)
    user = Membership.objects.get(member__email=GRACE_ENDED, type="user")
    due = today - datetime.timedelta(days=31)
    DuesInvoice.objects.get_or_create(
        membership=user,
        period_start=due,
        defaults={
            "period_end": due + datetime.timedelta(days=30),
            "amount": user.service_level.minimum_amount,
            "currency": user.service_level.currency,
            "due_on": due,
        },
    )


def seed(out, today: datetime.date) -> None:
    from standing.services import status_recompute

    treasurer = _treasurer()
    _top_up_commitments(today, treasurer)
    _file_revenue_reports(today, treasurer)
    _history_of_joins()
    _history_of_lapses(today)
    # This night's run, once; then the day's events, which the next run (or a dry run) finds.
    from membership.models import StatusRun

    if not StatusRun.objects.filter(source="nightly", state="finished", dry_run=False).exists():
        run, _evaluations = status_recompute(on=today, source="nightly", keep_evaluations=False)
        out.write(f"  status: {run.evaluated} evaluated, {run.lapsed} lapsed")
    _changes_since_last_night(today, treasurer)
