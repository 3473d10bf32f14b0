"""Demo applications for ``seed_demo``: pending, waitlisted, approved and rejected ones.

Builds on ``membership.demo`` (stewards, levels, terms, steward admins). Each application is
keyed by (steward, email) and made only when missing; approvals and refusals go through the
same services the admin uses, so the demo shows real members, logins, invoices and decisions.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from membership.models import ServiceLevel, TermsVersion
from resellers.models import Application, ApplicationDecision, Steward
from resellers.services import application_approve, application_reject

APPLICATIONS = [
    # steward, email, kind, name, organisation, country, language, type, level, days ago,
    # outcome ("pending", "waitlisted", "approved", "rejected"), extra
    ("comuns-reunits", "jordi.vila@example.net", "person", "Jordi Vila", "", "ES", "ca",
     "user", "small", 2, "pending", {}),
    ("maple-rooms", "hello@prairie-housing.example", "organisation", "Claire Tremblay",
     "Prairie Housing Co-op", "CA", "fr", "user", "medium", 5, "pending", {}),
    ("meet-coop", "sam.okafor@example.net", "person", "Sam Okafor", "", "GB", "en",
     "operational", None, 3, "pending",
     {"pledge_hours": Decimal("20"), "pledge_money": Decimal("250.00"),
      "statement": "I maintain BigBlueButton servers for a living and want to help run them."}),
    ("nordwind", "verein@lesekreis.example", "organisation", "Jana Richter",
     "Lesekreis Hamburg e.V.", "DE", "de", "user", "small", 9, "waitlisted", {}),
    ("comuns-reunits", "laia.serra@example.net", "person", "Laia Serra", "", "ES", "ca",
     "user", "small", 12, "approved", {}),
    ("maple-rooms", "promo@fastdeals.example", "organisation", "Max Profit",
     "Fast Deals Ltd", "US", "en", "user", "small", 15, "rejected",
     {"reason": "We only serve co-operatives and community groups."}),
]  # fmt: skip


def seed(out, today: datetime.date) -> None:
    from meetcoop.users.models import User

    terms = list(TermsVersion.objects.filter(version="1.0"))
    made = 0
    for row in APPLICATIONS:
        (slug, email, kind, name, org, country, language, type_, level_code, days_ago,
         outcome, extra) = row  # fmt: skip
        steward = Steward.objects.get(slug=slug)
        if Application.objects.filter(steward=steward, email=email).exists():
            continue
        submitted_at = timezone.now() - datetime.timedelta(days=days_ago)
        status = "waitlisted" if outcome == "waitlisted" else "submitted"
        application = Application.objects.create(
            steward=steward,
            status=status,
            submitted_at=submitted_at,
            kind=kind,
            name=name,
            organisation_name=org,
            email=email,
            country=country,
            language=language,
            type=type_,
            service_level=ServiceLevel.objects.get(code=level_code) if level_code else None,
            pledge_money=extra.get("pledge_money", Decimal("0.00")),
            pledge_hours=extra.get("pledge_hours", Decimal("0")),
            statement=extra.get("statement", ""),
            submission_notified_at=submitted_at,
            decision_notified_status=status,
        )
        application.accepted_terms.set(terms)
        ApplicationDecision.objects.create(
            application=application,
            status_from="",
            status_to=status,
            reason="The level is full; the application waits for a place."
            if status == "waitlisted"
            else "",
            decided_at=submitted_at,
        )
        admin = User.objects.filter(email=f"admin@{slug}.example").first()
        if outcome == "approved":
            application_approve(
                application=application, actor=admin, on=today - datetime.timedelta(days=1)
            )
        elif outcome == "rejected":
            application_reject(application=application, actor=admin, reason=extra["reason"])
        made += 1
    out.write(f"  applications: {Application.objects.count()} ({made} new)")
