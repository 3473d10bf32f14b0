"""Demo data for ``seed_demo``: circles with coordinators, ledgers, dues and revenue reports.

Builds on ``membership.demo`` (members member01..member40, stewards, levels, policy). Every row
is found by a natural key before it is created, so running the seeder again changes nothing.
The circles "tech" and "outreach" are shared with governance's seeder (get_or_create by slug).
"""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from contributions.models import (
    DuesInvoice,
    DuesPayment,
    LedgerEntry,
    RevenueReport,
    RevenueSharePayment,
)
from contributions.selectors import quarter_end, quarter_start, share_owed
from contributions.services import period_end_for
from governance.models import Circle, CircleRole
from membership.models import Member, Membership
from membership.selectors import policy_in_force
from resellers.models import Steward, StewardOffer

TREASURER_EMAIL = "treasurer@meet.coop.example"

CIRCLES = [
    # slug, name, purpose, coordinators, members (demo member numbers)
    (
        "tech",
        "Tech",
        "Run and improve the BigBlueButton and Greenlight servers.",
        [1, 2],
        [5, 6, 9, 10],
    ),
    ("outreach", "Outreach", "Find new members and look after the resellers.", [3, 4], [7, 8, 11]),
]

# member number -> list of (days ago, hours, status, what was done)
LABOUR = {
    1: [(200, "8", "approved", "Upgraded BigBlueButton"), (90, "6", "approved", "Load tests")],
    2: [(150, "12", "approved", "Set up monitoring"), (20, "4", "pending", "Rotated TLS keys")],
    3: [(180, "10", "approved", "Wrote the reseller guide"), (40, "5", "approved", "Webinar")],
    4: [
        (60, "3", "rejected", "Duplicate of an earlier entry"),
        (12, "2.5", "pending", "Newsletter"),
    ],
    5: [
        (120, "10", "approved", "Migrated recordings"),
        (8, "3", "pending", "Fixed a Greenlight bug"),
    ],
    6: [(100, "20", "approved", "Built the status page"), (70, "10", "approved", "On-call week")],
    7: [(45, "6", "approved", "Translated the website into Catalan")],
    8: [(30, "4", "pending", "Fair stall"), (25, "2", "pending", "Social media")],
    9: [(210, "16", "approved", "Backup system")],
    10: [(5, "1.5", "pending", "Answered support tickets")],
}
# member number -> list of (days ago, kind, amount, currency, rate, status, description)
MONEY = {
    1: [(300, "money", "500.00", "EUR", "1", "approved", "Entry commitment")],
    3: [(150, "money", "125.00", "EUR", "1", "approved", "Part of the commitment")],
    4: [(100, "money", "400.00", "CAD", "0.68", "approved", "Commitment paid in Canadian dollars")],
    6: [(80, "resource", "240.00", "", "", "approved", "A year of a backup server")],
    7: [(10, "money", "100.00", "EUR", "1", "pending", "Transfer received")],
    9: [(60, "resource", "60.00", "", "", "pending", "Domain names for two years")],
}


def _user(email, name):
    from .base import _user

    return _user(email, name=name)


def _member(number: int) -> Member | None:
    return Member.objects.filter(email=f"member{number:02d}@example.org").first()


def _contact(member: Member):
    link = member.contact_links.select_related("user").first()
    return link.user if link else None


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _circles(today):
    circles, coordinators = {}, {}
    seat_start = today - datetime.timedelta(days=400)
    for slug, name, purpose, coords, members in CIRCLES:
        circle, _c = Circle.objects.get_or_create(
            slug=slug, defaults={"name": name, "purpose": purpose}
        )
        circles[slug] = circle
        coordinators[slug] = []
        for numbers, role in ((coords, "coordinator"), (members, "member")):
            for number in numbers:
                member = _member(number)
                if member is None:
                    continue
                CircleRole.objects.get_or_create(
                    circle=circle, member=member, role=role, defaults={"started_on": seat_start}
                )
                if role == "coordinator":
                    coordinators[slug].append(member)
    return circles, coordinators


def _circle_of(number: int) -> str:
    return next(slug for slug, _n, _p, c, m in CIRCLES if number in c or number in m)


def _ledger(today, circles, coordinators, treasurer):
    for number, entries in LABOUR.items():
        member = _member(number)
        if member is None:
            continue
        slug = _circle_of(number)
        others = [c for c in coordinators[slug] if c.pk != member.pk]
        logger, decider = _contact(others[0]), _contact(others[-1])
        for days, hours, status, what in entries:
            day = today - datetime.timedelta(days=days)
            LedgerEntry.objects.get_or_create(
                member=member,
                kind="labour",
                occurred_on=day,
                description=what,
                defaults={
                    "hours": Decimal(hours),
                    "circle": circles[slug],
                    "logged_by": logger,
                    "logged_at": _at(day, 17),
                    "status": status,
                    "decided_by": None if status == "pending" else decider,
                    "decided_at": None if status == "pending" else _at(day + relativedelta(days=2)),
                    "decision_note": "Counted twice" if status == "rejected" else "",
                },
            )
    for number, entries in MONEY.items():
        member = _member(number)
        if member is None:
            continue
        for days, kind, amount, currency, rate, status, what in entries:
            day = today - datetime.timedelta(days=days)
            money = kind == "money"
            eur_value = (
                (Decimal(amount) * Decimal(rate)).quantize(Decimal("0.01"))
                if money
                else Decimal(amount)
            )
            LedgerEntry.objects.get_or_create(
                member=member,
                kind=kind,
                occurred_on=day,
                description=what,
                defaults={
                    "amount": Decimal(amount) if money else None,
                    "currency": currency,
                    "eur_rate": Decimal(rate) if money else None,
                    "eur_value": eur_value,
                    "logged_by": treasurer,
                    "logged_at": _at(day, 10),
                    "status": status,
                    "decided_by": None if status == "pending" else treasurer,
                    "decided_at": None if status == "pending" else _at(day, 11),
                },
            )
    # One correction: member 9's backup hours were logged once too many.
    member = _member(9)
    original = (
        LedgerEntry.objects.filter(member=member, description="Backup system").first()
        if member
        else None
    )
    if original is not None and not LedgerEntry.objects.filter(reverses=original).exists():
        day = original.occurred_on + datetime.timedelta(days=10)
        decider = _contact(coordinators["tech"][0])
        LedgerEntry.objects.create(
            member=member,
            kind="labour",
            occurred_on=day,
            description=f"Reversal of entry #{original.pk}",
            hours=-original.hours,
            circle=original.circle,
            logged_by=decider,
            logged_at=_at(day),
            status="approved",
            decided_by=decider,
            decided_at=_at(day),
            reverses=original,
            reason="Logged for the whole team; each member logs their own share.",
        )
        LedgerEntry.objects.get_or_create(
            member=member,
            kind="labour",
            occurred_on=original.occurred_on,
            description="Backup system (own share)",
            defaults={
                "hours": Decimal("6"),
                "circle": original.circle,
                "logged_by": decider,
                "logged_at": _at(day),
                "status": "approved",
                "decided_by": decider,
                "decided_at": _at(day),
            },
        )


def _dues(today, treasurer):
    first_month = today.replace(day=1) - relativedelta(months=2)
    memberships = (
        Membership.objects.filter(
            type="user", status__in=["active", "lapsed"], service_level__minimum_amount__gt=0
        )
        .select_related("service_level", "steward")
        .prefetch_related("steward__admins")
    )
    offers = {
        (o.steward_id, o.service_level_id): o
        for o in StewardOffer.objects.select_related("service_level")
    }
    for membership in memberships:
        level = membership.service_level
        # The steward's price in its currency (Maple Rooms bills in CAD), as real invoices are.
        offer = offers.get((membership.steward_id, level.pk))
        dues = offer.dues if offer is not None else level.minimum
        for k in range(3):
            start = first_month + relativedelta(months=k)
            invoice, _c = DuesInvoice.objects.get_or_create(
                membership=membership,
                period_start=start,
                defaults={
                    "period_end": period_end_for(start, level.period),
                    "amount": dues.amount,
                    "currency": dues.currency,
                    "due_on": start,
                    "issued_at": _at(start, 6),
                },
            )
            # Lapsed members left the last two months unpaid; everyone else paid on time,
            # except the current month for every third membership.
            unpaid = (membership.status == "lapsed" and k > 0) or (
                k == 2 and membership.pk % 3 == 0
            )
            if unpaid or invoice.payments.exists():
                continue
            admins = list(membership.steward.admins.all())
            DuesPayment.objects.create(
                invoice=invoice,
                amount=invoice.amount,
                currency=invoice.currency,
                paid_on=min(start + datetime.timedelta(days=5), today),
                recorded_by=admins[0] if admins else treasurer,
                note="Bank transfer",
            )


REVENUE = {"comuns-reunits": "1800.00", "maple-rooms": "2600.00", "nordwind": "900.00"}


def _revenue(today, treasurer):
    rates = {"EUR": Decimal("1"), "CAD": Decimal("0.68")}
    last_ended = quarter_start(today) - relativedelta(months=3)
    for steward in Steward.objects.filter(kind="reseller", member__isnull=False):
        admin = steward.admins.order_by("pk").first()
        if admin is None:
            continue
        currency = steward.currencies[0] if steward.currencies else "EUR"
        # The last three ended quarters; Maple Rooms has not yet reported the latest.
        for k in (2, 1, 0):
            start = last_ended - relativedelta(months=3 * k)
            if steward.slug == "maple-rooms" and k == 0:
                continue
            end = quarter_end(start)
            policy = policy_in_force(on=end)
            revenue = Decimal(REVENUE.get(steward.slug, "1000.00")) + 100 * k
            rate = rates.get(currency, Decimal("1"))
            revenue_eur = (revenue * rate).quantize(Decimal("0.01"))
            report, _c = RevenueReport.objects.get_or_create(
                steward=steward,
                quarter_start=start,
                defaults={
                    "quarter_end": end,
                    "revenue": revenue,
                    "currency": currency,
                    "eur_rate": rate,
                    "revenue_eur": revenue_eur,
                    "share_percent": policy.revenue_share_percent,
                    "share_eur": share_owed(revenue_eur, policy.revenue_share_percent),
                    "due_on": end + datetime.timedelta(days=policy.revenue_report_due_days),
                    "reported_by": admin,
                    "reported_at": _at(min(end + datetime.timedelta(days=10), today)),
                },
            )
            # Nordwind has not paid its latest share.
            if (steward.slug == "nordwind" and k == 0) or report.payments.exists():
                continue
            RevenueSharePayment.objects.create(
                report=report,
                amount_eur=report.share_eur,
                paid_on=min(end + datetime.timedelta(days=20), today),
                recorded_by=treasurer,
                note="Bank transfer",
            )


def seed(out, today: datetime.date) -> None:
    from django.contrib.auth.models import Group

    from meetcoop.core.roles import TREASURERS

    treasurer = _user(TREASURER_EMAIL, "Co-op treasurer")
    treasurer.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    if not treasurer.is_staff:
        treasurer.is_staff = True
        treasurer.save(update_fields=["is_staff"])
    circles, coordinators = _circles(today)
    _ledger(today, circles, coordinators, treasurer)
    _dues(today, treasurer)
    _revenue(today, treasurer)
    out.write(
        f"  ledger entries: {LedgerEntry.objects.count()}, "
        f"dues invoices: {DuesInvoice.objects.count()}, "
        f"revenue reports: {RevenueReport.objects.count()}"
    )
