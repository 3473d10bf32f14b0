"""Demo data for ``seed_demo``: policy, levels, stewards, members and terms.

Everything is keyed by a natural key (an email, a slug, a code) and created only when missing,
so running the seeder again changes nothing.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from membership.models import (
    ExchangeRate,
    Member,
    MemberContact,
    Membership,
    Policy,
    ServiceLevel,
    TermsAcceptance,
    TermsVersion,
)
from resellers.models import Steward, StewardOffer

DEMO_PASSWORD = "demo-password"
ADMIN_EMAIL = "admin@meet.coop.example"
ADMIN_PASSWORD = "admin"

LEVELS = [
    # code, name, channel, amount, currency, period, description
    ("small", "Small", "reseller", "10.00", "EUR", "month", "One room, up to 25 people."),
    ("medium", "Medium", "reseller", "25.00", "EUR", "month", "Five rooms, up to 75 people."),
    ("large", "Large", "reseller", "60.00", "EUR", "month", "Twenty rooms, up to 250 people."),
    ("free", "Free", "coop", "0.00", "EUR", "month", "One room for people who can't pay."),
    (
        "organization",
        "Organization",
        "coop",
        "40.00",
        "EUR",
        "month",
        "Rooms for a whole organisation.",
    ),
    ("custom", "Custom", "coop", "100.00", "EUR", "month", "A set-up agreed with the co-op."),
    ("event", "Event", "coop", "150.00", "EUR", "month", "A large one-off event with support."),
]

STEWARDS = [
    # slug, kind, name, languages, currencies, offers {code: capacity}, description
    (
        "meet-coop",
        "coop",
        "Meet.coop",
        ["en", "fr", "de"],
        ["EUR"],
        {"free": 30, "organization": 20, "custom": 5, "event": 4},
        "The co-op itself: free rooms, organisations, custom set-ups and events.",
    ),
    (
        "comuns-reunits",
        "reseller",
        "Comuns Reunits",
        ["ca", "es"],
        ["EUR"],
        {"small": 12, "medium": 6, "large": 2},
        "A Barcelona collective serving Catalan- and Spanish-speaking groups.",
    ),
    (
        "maple-rooms",
        "reseller",
        "Maple Rooms",
        ["en", "fr"],
        ["CAD", "EUR"],
        {"small": 10, "medium": 5, "large": 2},
        "Rooms for Canadian co-operatives, paid in Canadian dollars.",
    ),
    (
        "nordwind",
        "reseller",
        "Nordwind Meetings",
        ["de", "en"],
        ["EUR"],
        {"small": 3, "medium": 4},
        "A small reseller for German-speaking associations.",
    ),
]

# Where members pay each steward (the IBANs are the banks' published examples). Maple Rooms,
# in Canada, is outside SEPA and says how to pay it in words.
BANK_DETAILS = {
    "meet-coop": {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    "comuns-reunits": {"iban": "ES9121000418450200051332"},
    "nordwind": {"iban": "NL91ABNA0417164300"},
    "maple-rooms": {
        "other_account_details": "Interac e-Transfer to pay@maple-rooms.example, or a wire to "
        "Caisse Desjardins, institution 815, transit 81530, account 1234567."
    },
}

# A steward's own prices, in a currency it takes: Maple Rooms bills in Canadian dollars.
PRICES = {
    ("maple-rooms", "small"): ("15.00", "CAD"),
    ("maple-rooms", "medium"): ("37.00", "CAD"),
    ("maple-rooms", "large"): ("88.00", "CAD"),
}
# (in force from, euros for one Canadian dollar)
RATES = [(datetime.date(2024, 1, 1), "0.680000"), (datetime.date(2026, 1, 1), "0.690000")]

FIRST = [
    "Ada",
    "Bruno",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luis",
    "Maya",
    "Nils",
    "Olga",
    "Pau",
    "Quinn",
    "Rosa",
    "Samir",
    "Tove",
]
LAST = ["Arnau", "Berg", "Costa", "Duarte", "Engel", "Ferrer", "Garcia", "Holm", "Ibarra", "Jansen"]
ORGS = [
    "Fair Food Network",
    "Tenants Union",
    "Open Source Circle",
    "Climate Commons",
    "Solar Co-op",
    "Riverside School",
    "Digital Rights Group",
    "Housing Collective",
]
COUNTRIES = ["ES", "CA", "DE", "FR", "GB", "NL", "PT", "IT"]


def _user(email, *, name="", password=DEMO_PASSWORD, staff=False, superuser=False, language=""):
    from allauth.account.models import EmailAddress

    from meetcoop.users.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(
            email=email,
            name=name,
            is_staff=staff or superuser,
            is_superuser=superuser,
            language=language,
        )
        user.set_password(password)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed(out, today: datetime.date) -> None:
    from django.contrib.auth.models import Group

    from meetcoop.core.roles import STEWARD_ADMINS

    _user(ADMIN_EMAIL, name="Co-op admin", password=ADMIN_PASSWORD, superuser=True)

    Policy.objects.get_or_create(
        effective_from=datetime.date(2020, 1, 1),
        defaults={
            "currency": "EUR",
            "commitment_money": Decimal("500.00"),
            "commitment_hours": Decimal("40"),
            "commitment_deadline_days": 365,
            "attendance_minimum_percent": Decimal("50"),
            "attendance_window_days": 365,
            "revenue_share_percent": Decimal("10"),
            "revenue_report_due_days": 30,
            "dues_grace_days": 30,
            "terms_acceptance_days": 30,
            "note": "The membership proposal as the founding members agreed it.",
        },
    )

    levels = {}
    for position, (code, name, channel, amount, currency, period, desc) in enumerate(LEVELS):
        levels[code], _created = ServiceLevel.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "channel": channel,
                "minimum_amount": Decimal(amount),
                "currency": currency,
                "period": period,
                "description": desc,
                "position": position,
            },
        )

    # The co-op's dated rates: what a Canadian dollar counts for against a commitment in euros.
    for effective_from, rate in RATES:
        ExchangeRate.objects.get_or_create(
            currency="CAD",
            base="EUR",
            effective_from=effective_from,
            defaults={"rate": Decimal(rate), "source": "Demo: the central bank's reference rate"},
        )

    steward_admins = Group.objects.get_or_create(name=STEWARD_ADMINS)[0]
    stewards = {}
    for slug, kind, name, languages, currencies, offers, desc in STEWARDS:
        steward, created = Steward.objects.get_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "name": name,
                "languages": languages,
                "currencies": currencies,
                "description": desc,
                "contact_email": f"hello@{slug}.example",
                "website": f"https://{slug}.example",
                "account_holder": name,
                **BANK_DETAILS.get(slug, {}),
            },
        )
        stewards[slug] = steward
        # Each steward's admin reads the site, and its emails, in the steward's first language.
        admin = _user(
            f"admin@{slug}.example", name=f"{name} admin", staff=True, language=languages[0]
        )
        admin.groups.add(steward_admins)
        steward.admins.add(admin)
        for code, capacity in offers.items():
            price = PRICES.get((slug, code))
            StewardOffer.objects.get_or_create(
                steward=steward,
                service_level=levels[code],
                defaults={
                    "capacity": capacity,
                    "greenlight_url": f"https://{code}.{slug}.example/b",
                    "price": Decimal(price[0]) if price else None,
                    "price_currency": price[1] if price else "",
                },
            )

    terms = {}
    for document, text in [
        ("terms_of_use", "Use the rooms for lawful, peaceful purposes. Respect other users."),
        ("fair_use", "Share capacity fairly: book large events ahead and close idle rooms."),
    ]:
        terms[document], _c = TermsVersion.objects.get_or_create(
            document=document,
            version="1.0",
            defaults={
                "text": text,
                "published_at": datetime.datetime(2023, 1, 9, 10, 0, tzinfo=datetime.UTC),
            },
        )

    reseller_slugs = [s[0] for s in STEWARDS if s[1] == "reseller"]
    for i in range(40):
        email = f"member{i + 1:02d}@example.org"
        is_org = i % 5 == 4
        person = f"{FIRST[i % len(FIRST)]} {LAST[(i * 3) % len(LAST)]}"
        member, created = Member.objects.get_or_create(
            email=email,
            defaults={
                "kind": "organisation" if is_org else "person",
                "name": person,
                "organisation_name": ORGS[(i // 5) % len(ORGS)] if is_org else "",
                "country": COUNTRIES[i % len(COUNTRIES)],
                "language": ["en", "ca", "es", "fr", "de"][i % 5],
                "created_at": timezone.now() - datetime.timedelta(days=700 - i * 10),
            },
        )
        if not created:
            continue
        user = _user(email, name=person, language=member.language)
        MemberContact.objects.create(member=member, user=user, is_primary=True)
        started = today - datetime.timedelta(days=700 - i * 15)
        # Members 1-12 are operational; the first three of them run the resellers.
        if i < 12:
            status = "lapsed" if i in (9, 10) else ("pending" if i == 11 else "active")
            Membership.objects.create(
                member=member,
                type="operational",
                status=status,
                steward=stewards["meet-coop"],
                applied_on=started - datetime.timedelta(days=20),
                admitted_on=None if status == "pending" else started,
            )
            if i < len(reseller_slugs):
                steward = stewards[reseller_slugs[i]]
                if steward.member_id is None:
                    steward.member = member
                    steward.save(update_fields=["member"])
        # Members 8-40 are user members (8-12 hold both kinds).
        if i >= 7:
            if i % 4 == 0:
                steward, code = stewards["meet-coop"], ["free", "organization", "event"][i % 3]
            else:
                steward = stewards[reseller_slugs[i % 3]]
                code = ["small", "medium", "large"][i % 3] if i % 7 else "small"
                if steward.slug == "nordwind" and code == "large":
                    code = "medium"
            status = "lapsed" if i % 11 == 0 else ("suspended" if i == 33 else "active")
            Membership.objects.create(
                member=member,
                type="user",
                status=status,
                steward=steward,
                service_level=levels[code],
                applied_on=started - datetime.timedelta(days=5),
                admitted_on=started,
            )
        for version in terms.values():
            TermsAcceptance.objects.create(
                member=member,
                terms_version=version,
                accepted_at=timezone.make_aware(
                    datetime.datetime.combine(started, datetime.time(12, 0))
                ),
            )
    out.write(f"  members: {Member.objects.count()}, memberships: {Membership.objects.count()}")
