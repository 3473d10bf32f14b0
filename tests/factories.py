"""factory-boy factories for every model, shared by all tests."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from meetcoop.users.models import User
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

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        if extracted is not False:
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy
        django_get_or_create = ["effective_from"]

    effective_from = datetime.date(2020, 1, 1)
    currency = "EUR"
    commitment_money = Decimal("500.00")
    commitment_hours = Decimal("40")
    commitment_deadline_days = 365
    attendance_minimum_percent = Decimal("50")
    attendance_window_days = 365
    revenue_share_percent = Decimal("10")
    revenue_report_due_days = 30
    dues_grace_days = 30
    terms_acceptance_days = 30


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevel
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"level-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    channel = ServiceLevel.Channel.RESELLER
    minimum_amount = Decimal("10.00")
    currency = "EUR"
    period = ServiceLevel.Period.MONTH


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "CAD"
    base = "EUR"
    rate = Decimal("0.680000")
    effective_from = datetime.date(2020, 1, 1)
    source = "test"


class StewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Steward
        skip_postgeneration_save = True  # ``operational`` saves what it sets

    kind = Steward.Kind.RESELLER
    slug = factory.Sequence(lambda n: f"reseller-{n}")
    name = factory.Sequence(lambda n: f"Reseller {n}")
    languages = factory.LazyFunction(lambda: ["en"])
    currencies = factory.LazyFunction(lambda: ["EUR"])
    accepting_applications = True

    @factory.post_generation
    def operational(obj, create, extracted, **kwargs):
        """A reseller belongs to an operational member (issue 14): with
        ``operational=True`` it gets a member with an active operational membership (never
        admitted through the platform, so it owes no revenue report)."""
        if not create or obj.kind != Steward.Kind.RESELLER or obj.member_id:
            return
        if not extracted:
            return
        membership = OperationalMembershipFactory(admitted_on=None, **kwargs)
        obj.member = membership.member
        obj.save(update_fields=["member"])


class CoopStewardFactory(StewardFactory):
    class Meta:
        model = Steward
        django_get_or_create = ["slug"]

    kind = Steward.Kind.COOP
    slug = "meet-coop"
    name = "Meet.coop"


class StewardOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StewardOffer

    steward = factory.SubFactory(StewardFactory)
    service_level = factory.SubFactory(ServiceLevelFactory)
    capacity = 10
    greenlight_url = "https://rooms.example/b"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    kind = Member.Kind.PERSON
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    country = "ES"
    language = "en"


class MemberContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberContact

    member = factory.SubFactory(MemberFactory)
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..member.email"))
    is_primary = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    type = Membership.Type.USER
    status = Membership.Status.ACTIVE
    steward = factory.SubFactory(StewardFactory)
    service_level = factory.Maybe(
        factory.LazyAttribute(lambda o: o.type == Membership.Type.USER),
        yes_declaration=factory.SubFactory(ServiceLevelFactory),
        no_declaration=None,
    )
    applied_on = datetime.date(2024, 1, 1)
    admitted_on = datetime.date(2024, 1, 15)
    ended_on = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status == Membership.Status.ENDED),
        yes_declaration=datetime.date(2025, 6, 30),
        no_declaration=None,
    )


class OperationalMembershipFactory(MembershipFactory):
    type = Membership.Type.OPERATIONAL
    steward = factory.SubFactory(CoopStewardFactory)


class TermsVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermsVersion

    document = TermsVersion.Document.TERMS_OF_USE
    version = factory.Sequence(lambda n: f"1.{n}")
    text = "Be kind."
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=400))


class TermsAcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermsAcceptance

    member = factory.SubFactory(MemberFactory)
    terms_version = factory.SubFactory(TermsVersionFactory)


class DuesInvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contributions.DuesInvoice"

    membership = factory.SubFactory(MembershipFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 1, 31)
    amount = Decimal("10.00")
    currency = "EUR"
    due_on = factory.SelfAttribute("period_start")


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Circle"

    name = factory.Sequence(lambda n: f"Circle {n}")
    slug = factory.Sequence(lambda n: f"circle-{n}")
    purpose = "Keep the servers running."


class CircleRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.CircleRole"

    circle = factory.SubFactory(CircleFactory)
    member = factory.SubFactory(MemberFactory)
    role = "member"
    started_on = datetime.date(2024, 1, 1)
    ended_on = None


# --- issue 4: contributions (ledger, dues payments, revenue share) ---------------------------


class LabourEntryFactory(factory.django.DjangoModelFactory):
    """A pending labour entry; pass status/decided_by/decided_at for a decided one."""

    class Meta:
        model = "contributions.LedgerEntry"

    member = factory.SubFactory(MemberFactory)
    kind = "labour"
    occurred_on = datetime.date(2026, 1, 10)
    description = "Patched the BigBlueButton servers."
    hours = Decimal("2.00")
    circle = factory.SubFactory(CircleFactory)
    logged_by = factory.SubFactory(UserFactory)
    status = "pending"
    decided_at = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status != "pending"),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )


class MoneyEntryFactory(LabourEntryFactory):
    kind = "money"
    description = "Yearly contribution."
    hours = Decimal("0.00")
    circle = None
    amount = Decimal("100.00")
    currency = "EUR"
    eur_rate = Decimal("1")
    eur_value = factory.LazyAttribute(lambda o: o.amount * o.eur_rate)


class DuesPaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contributions.DuesPayment"

    invoice = factory.SubFactory(DuesInvoiceFactory)
    amount = factory.SelfAttribute("invoice.amount")
    currency = factory.SelfAttribute("invoice.currency")
    paid_on = factory.SelfAttribute("invoice.due_on")
    recorded_by = factory.SubFactory(UserFactory)


class RevenueReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contributions.RevenueReport"

    steward = factory.SubFactory(StewardFactory)
    quarter_start = datetime.date(2026, 1, 1)
    quarter_end = datetime.date(2026, 3, 31)
    revenue = Decimal("1000.00")
    currency = "EUR"
    eur_rate = Decimal("1")
    revenue_eur = Decimal("1000.00")
    share_percent = Decimal("10")
    share_eur = Decimal("100.00")
    due_on = datetime.date(2026, 4, 30)
    reported_by = factory.SubFactory(UserFactory)
    # Reported the day after the quarter ends: the status of a day counts only the reports
    # sent by then, so a report made "now" would be missing on the days the tests evaluate.
    reported_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(
            o.quarter_end + datetime.timedelta(days=1), datetime.time(12), tzinfo=datetime.UTC
        )
    )


# --- issue 5: governance -----------------------------------------------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Meeting"

    kind = "all_hands"
    circle = None
    title = factory.Sequence(lambda n: f"All Hands {n}")
    held_on = datetime.date(2026, 1, 15)
    attendance_recorded_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Attendance"

    meeting = factory.SubFactory(MeetingFactory)
    member = factory.SubFactory(MemberFactory)


class GovernanceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.GovernanceDocument"

    title = factory.Sequence(lambda n: f"Document {n}")
    slug = factory.Sequence(lambda n: f"document-{n}")


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft; open it with governance.services.proposal_open."""

    class Meta:
        model = "governance.Proposal"

    title = factory.Sequence(lambda n: f"Proposal {n}")
    text = "We should do the thing."
    electorate = "all"


def voting_member(*, email=None, membership_type="operational", status="active", **kwargs):
    """A member with a login (its contact) and a membership; returns (member, user)."""
    contact = MemberContactFactory(**({"member__email": email} if email else {}), **kwargs)
    factory_class = (
        OperationalMembershipFactory if membership_type == "operational" else MembershipFactory
    )
    factory_class(member=contact.member, status=status)
    return contact.member, contact.user


# --- Issue 3: applications -----------------------------------------------------------------


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resellers.Application"
        skip_postgeneration_save = True

    steward = factory.SubFactory(StewardFactory)
    status = "submitted"
    submitted_at = factory.LazyFunction(timezone.now)
    kind = "person"
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    country = "ES"
    language = "en"
    type = "user"
    service_level = factory.SubFactory(ServiceLevelFactory)
    decision_notified_status = factory.SelfAttribute("status")

    class Params:
        operational = factory.Trait(
            type="operational",
            service_level=None,
            pledge_money=Decimal("500.00"),
            statement="I run servers and want to help.",
        )

    @factory.post_generation
    def terms(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.accepted_terms.set(extracted)


class StewardAdminFactory(UserFactory):
    """A staff user in the "Steward admins" group, administering ``stewards``."""

    is_staff = True

    @factory.post_generation
    def stewards(obj, create, extracted, **kwargs):
        if not create:
            return
        from django.contrib.auth.models import Group

        from meetcoop.core.roles import STEWARD_ADMINS, ensure_role_groups

        ensure_role_groups()
        obj.groups.add(Group.objects.get(name=STEWARD_ADMINS))
        for steward in extracted or []:
            steward.admins.add(obj)


# --- Issue 14 (6 and 7): public documents, the public list of members ----------------------


class PublicListingFactory(factory.django.DjangoModelFactory):
    """A member's consent to the public list; pass ``member`` (one with an operational
    membership) for it to show."""

    class Meta:
        model = "governance.PublicListing"

    member = factory.SubFactory(MemberFactory)
    listed = True
    display_name = factory.LazyAttribute(lambda o: o.member.display_name)
    website = "https://example.org"
    languages = factory.LazyFunction(lambda: ["en", "ca"])
    offer = "Hosting and support in Catalan."


# --- issue 14, point 4: circle meetings in the participation rule ----------------------------


class CircleMeetingFactory(MeetingFactory):
    """A meeting of one circle, its attendance recorded."""

    kind = "circle"
    circle = factory.SubFactory(CircleFactory)
    title = factory.Sequence(lambda n: f"Circle meeting {n}")


# --- Issue 14: Fair Use and service concerns ---------------------------------------------------


class ConcernFactory(factory.django.DjangoModelFactory):
    """A concern about a member's use (``kind="use"``), raised by another member's contact.
    Made directly, as ``concern_raise`` leaves it: open, with its "opened" entry."""

    class Meta:
        model = "resellers.Concern"
        skip_postgeneration_save = True

    kind = "use"
    member = factory.SubFactory(MemberFactory)
    member_email = factory.SelfAttribute("member.email")
    raised_for = factory.SubFactory(MemberFactory)
    raised_by = factory.SubFactory(UserFactory)
    description = "Ran a 300-person webinar every day on a Small room."

    @factory.post_generation
    def opened(obj, create, extracted, **kwargs):
        if create:
            from resellers.models import ConcernEntry

            ConcernEntry.objects.create(
                concern=obj, kind="opened", author=obj.raised_by, text=obj.description
            )
