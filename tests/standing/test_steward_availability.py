"""Issue 14, point 1: resellers are active operational members. A steward takes applications
only while it is switched on, its member's operational membership is active and its revenue
reports are not overdue past the policy's grace; otherwise its page says so (200)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time

from meetcoop.core.errors import DomainError
from membership.models import Membership
from resellers.admin.stewards import StewardForm
from resellers.availability import (
    CLOSED_BY_HAND,
    MEMBERSHIP_NOT_ACTIVE,
    NO_OPERATIONAL_MEMBER,
    REPORTS_OVERDUE,
)
from resellers.models import Application
from resellers.services import application_reject, steward_member_check, steward_member_set
from standing.selectors.stewards import stewards_availability
from standing.services import steward_availability_check
from tests.factories import (
    ApplicationFactory,
    CoopStewardFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    RevenueReportFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsVersionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Admitted in Q1 2026: its first report (Q1) is due 2026-04-30 (30 days after the quarter);
# with a 30-day grace, 2026-05-30 is the last day of grace.
ADMITTED = datetime.date(2026, 1, 10)
DUE = datetime.date(2026, 4, 30)
LAST_DAY_OF_GRACE = datetime.date(2026, 5, 30)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small(db):
    return ServiceLevelFactory(code="small", name="Small", position=1)


@pytest.fixture
def reseller(db, small):
    PolicyFactory(reseller_report_grace_days=30)
    operational = OperationalMembershipFactory(admitted_on=ADMITTED, applied_on=ADMITTED)
    steward = StewardFactory(slug="comuns", name="Comuns Reunits", member=operational.member)
    StewardOfferFactory(steward=steward, service_level=small, capacity=5)
    return steward


@pytest.fixture
def other(db, small):
    steward = StewardFactory(slug="maple", name="Maple Rooms", operational=True)
    StewardOfferFactory(steward=steward, service_level=small, capacity=5)
    return steward


def _availability(steward, on):
    return stewards_availability([steward], on=on)[steward.pk]


def _apply_url(steward):
    return reverse("resellers:apply", args=[steward.slug])


# --- who may resell -------------------------------------------------------------------------


def test_a_user_only_member_cannot_be_made_a_reseller():
    user_only = MembershipFactory(type=Membership.Type.USER).member
    steward = StewardFactory()
    with pytest.raises(DomainError) as refused:
        steward_member_set(steward=steward, member=user_only, actor=None)
    assert refused.value.field == "member"
    assert "only operational members may resell" in refused.value.text
    steward.refresh_from_db()
    assert steward.member_id is None


def test_a_member_with_both_memberships_may_resell():
    both = OperationalMembershipFactory().member
    MembershipFactory(member=both, type=Membership.Type.USER)
    steward = steward_member_set(steward=StewardFactory(), member=both, actor=None)
    assert steward.member == both


def test_an_ended_operational_membership_does_not_make_a_reseller():
    ended = OperationalMembershipFactory(status=Membership.Status.ENDED).member
    with pytest.raises(DomainError):
        steward_member_check(kind="reseller", member=ended)
    with pytest.raises(DomainError):
        steward_member_check(kind="reseller", member=None)
    steward_member_check(kind="coop", member=None)  # the co-op belongs to no member
    with pytest.raises(DomainError):
        steward_member_set(
            steward=CoopStewardFactory(), member=OperationalMembershipFactory().member, actor=None
        )


def _steward_form(member):
    return StewardForm(
        data={
            "kind": "reseller",
            "slug": "new-shop",
            "name": "New Shop",
            "languages": ["en"],
            "currencies": ["EUR"],
            "accepting_applications": "on",
            "member": str(member.pk),
        }
    )


def test_the_steward_form_refuses_a_user_only_member_on_the_member_field():
    user_only = MembershipFactory(type=Membership.Type.USER).member
    form = _steward_form(user_only)
    assert not form.is_valid()
    assert "only operational members may resell" in " ".join(form.errors["member"])


def test_the_steward_form_accepts_a_member_holding_both_memberships():
    both = OperationalMembershipFactory().member
    MembershipFactory(member=both, type=Membership.Type.USER)
    form = _steward_form(both)
    assert form.is_valid(), form.errors


def test_the_demo_resellers_belong_to_operational_members():
    import io

    from resellers.models import Steward
    from standing.demo import base

    base.seed(io.StringIO(), datetime.date(2026, 6, 1))
    resellers = Steward.objects.filter(kind="reseller")
    assert resellers.exists()
    for steward in resellers:
        steward_member_check(kind=steward.kind, member=steward.member)


# --- when a steward takes applications -----------------------------------------------------------


def test_a_reseller_closes_the_day_its_operational_membership_lapses(reseller):
    day = datetime.date(2026, 2, 1)
    assert _availability(reseller, day).taking
    Membership.objects.filter(member=reseller.member).update(status=Membership.Status.LAPSED)
    closed = _availability(reseller, day)
    assert not closed.taking and closed.reason == MEMBERSHIP_NOT_ACTIVE


def test_an_overdue_report_closes_the_day_after_the_grace_ends(reseller):
    assert _availability(reseller, DUE).taking
    assert _availability(reseller, LAST_DAY_OF_GRACE).taking
    after = _availability(reseller, LAST_DAY_OF_GRACE + datetime.timedelta(days=1))
    assert not after.taking and after.reason == REPORTS_OVERDUE


def test_an_unpaid_share_closes_after_the_grace_and_a_payment_reopens(reseller):
    RevenueReportFactory(steward=reseller, quarter_start=datetime.date(2026, 1, 1), due_on=DUE)
    assert _availability(reseller, LAST_DAY_OF_GRACE).taking
    assert not _availability(reseller, LAST_DAY_OF_GRACE + datetime.timedelta(days=1)).taking
    # The payment reopens it from the day it is paid, not before.
    from contributions.models import RevenueSharePayment

    paid_on = LAST_DAY_OF_GRACE + datetime.timedelta(days=5)
    report = reseller.revenue_reports.get()
    RevenueSharePayment.objects.create(
        report=report, amount_eur=report.share_eur, paid_on=paid_on, recorded_by=UserFactory()
    )
    assert not _availability(reseller, paid_on - datetime.timedelta(days=1)).taking
    assert _availability(reseller, paid_on).taking


def test_a_partly_paid_share_keeps_it_closed(reseller):
    from contributions.models import RevenueSharePayment

    report = RevenueReportFactory(
        steward=reseller, quarter_start=datetime.date(2026, 1, 1), due_on=DUE
    )
    assert report.share_eur > Decimal("0.01")
    RevenueSharePayment.objects.create(
        report=report,
        amount_eur=report.share_eur - Decimal("0.01"),
        paid_on=DUE,
        recorded_by=UserFactory(),
    )
    closed = _availability(reseller, LAST_DAY_OF_GRACE + datetime.timedelta(days=1))
    assert not closed.taking and closed.reason == REPORTS_OVERDUE


@pytest.mark.parametrize(
    "status", [Membership.Status.PENDING, Membership.Status.LAPSED, Membership.Status.SUSPENDED]
)
def test_any_operational_status_but_active_closes_it_and_active_again_reopens(reseller, status):
    operational = reseller.member.memberships.filter(type=Membership.Type.OPERATIONAL)
    operational.update(status=status)
    closed = _availability(reseller, DUE)
    assert not closed.taking and closed.reason == MEMBERSHIP_NOT_ACTIVE
    operational.update(status=Membership.Status.ACTIVE)
    assert _availability(reseller, DUE).taking


def test_an_active_user_membership_does_not_keep_a_reseller_open(reseller):
    MembershipFactory(member=reseller.member, type=Membership.Type.USER, status="active")
    reseller.member.memberships.filter(type=Membership.Type.OPERATIONAL).update(status="lapsed")
    assert _availability(reseller, DUE).reason == MEMBERSHIP_NOT_ACTIVE


def test_a_report_made_on_time_keeps_it_open(reseller):
    from contributions.models import RevenueSharePayment

    report = RevenueReportFactory(
        steward=reseller, quarter_start=datetime.date(2026, 1, 1), due_on=DUE
    )
    RevenueSharePayment.objects.create(
        report=report,
        amount_eur=Decimal("100.00"),
        paid_on=DUE,
        recorded_by=UserFactory(),
    )
    assert _availability(reseller, datetime.date(2026, 6, 15)).taking


def test_the_grace_is_the_policys(reseller):
    PolicyFactory(effective_from=datetime.date(2026, 5, 1), reseller_report_grace_days=0)
    assert not _availability(reseller, DUE + datetime.timedelta(days=1)).taking
    # With no grace, the due day itself is still open.
    assert _availability(reseller, DUE).taking
    assert _availability(reseller, DUE + datetime.timedelta(days=1)).grace_days == 0


def test_a_steward_closed_by_hand_says_so_and_the_coop_is_open(reseller):
    reseller.accepting_applications = False
    reseller.save()
    assert _availability(reseller, DUE).reason == CLOSED_BY_HAND


def test_a_reseller_linked_to_no_member_takes_no_applications(small):
    # Saved before the rule (the admin and the services now refuse it): closed until a co-op
    # admin links it to an operational member, and open the day it is linked.
    PolicyFactory()
    unlinked = StewardFactory(slug="old", name="Old Rooms")
    assert _availability(unlinked, DUE).reason == NO_OPERATIONAL_MEMBER
    unlinked.member = OperationalMembershipFactory(admitted_on=None).member
    unlinked.save()
    assert _availability(unlinked, DUE).taking


def test_the_page_of_a_reseller_linked_to_no_member_says_it_takes_none(client, small, other):
    PolicyFactory()
    unlinked = StewardFactory(slug="old", name="Old Rooms")
    StewardOfferFactory(steward=unlinked, service_level=small, capacity=5)
    response = client.get(_apply_url(unlinked))
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not taking new applications" in html and 'name="email"' not in html
    assert "Maple Rooms" in html


# --- the public pages ---------------------------------------------------------------------


@freeze_time("2026-05-31 12:00:00")
def test_the_closed_page_answers_200_names_stewards_with_room_and_hides_the_money(
    client, reseller, other
):
    response = client.get(_apply_url(reseller))
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not taking new applications at the moment" in html
    assert "Maple Rooms" in html and _apply_url(other) in html
    assert 'name="email"' not in html  # no form
    assert "report" not in html.lower() and "overdue" not in html.lower()


def test_a_steward_closed_by_hand_shows_the_page_not_a_404(client, other):
    PolicyFactory()
    other.accepting_applications = False
    other.save()
    response = client.get(_apply_url(other))
    assert response.status_code == 200
    assert "has paused new applications" in response.content.decode()
    listing = client.get(reverse("resellers:steward_list")).content.decode()
    assert "Maple Rooms" in listing and "Not taking new applications at the moment" in listing


@freeze_time("2026-05-31 12:00:00")
def test_a_post_to_a_closed_steward_is_refused_and_nothing_is_saved(client, reseller, small):
    terms = {
        "terms_of_use": TermsVersionFactory(document="terms_of_use", version="1.0"),
        "fair_use": TermsVersionFactory(document="fair_use", version="1.0"),
    }
    from tests.resellers.test_apply import form_data

    response = client.post(_apply_url(reseller), form_data(terms, service_level=str(small.pk)))
    assert response.status_code == 200
    assert "Your application was not sent" in response.content.decode()
    assert Application.objects.count() == 0
    assert len(mail.outbox) == 0


@freeze_time("2026-05-30 12:00:00")
def test_on_the_last_day_of_grace_the_form_is_shown(client, reseller):
    response = client.get(_apply_url(reseller))
    assert response.status_code == 200
    assert "not taking new applications" not in response.content.decode()
    assert 'name="email"' in response.content.decode()


def test_applications_already_made_are_kept_and_can_still_be_decided(reseller):
    application = ApplicationFactory(steward=reseller)
    Membership.objects.filter(member=reseller.member).update(status=Membership.Status.LAPSED)
    admin = StewardAdminFactory(stewards=[reseller])
    application_reject(application=application, actor=admin, reason="Not now.")
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED


def test_the_steward_list_reads_a_fixed_number_of_queries(
    client, small, django_assert_max_num_queries
):
    PolicyFactory()

    def add(n):
        for i in range(n):
            steward = StewardFactory(operational=True, accepting_applications=i % 3 != 0)
            StewardOfferFactory(steward=steward, service_level=small)
            if i % 3 == 1:
                Membership.objects.filter(member=steward.member).update(status="lapsed")

    add(2)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("resellers:steward_list")).status_code == 200
    add(10)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("resellers:steward_list")).status_code == 200


# --- the steward's admins are told ------------------------------------------------------


def test_admins_are_told_once_per_change_in_their_language(reseller, monkeypatch):
    from resellers.services import stewards as steward_services

    sent = []
    real = steward_services.send_templated_email

    def spy(**kwargs):
        sent.append((kwargs["to"], kwargs["language"], kwargs["template"]))
        return real(**kwargs)

    monkeypatch.setattr(steward_services, "send_templated_email", spy)
    StewardAdminFactory(email="ana@comuns.example", language="ca", stewards=[reseller])
    StewardAdminFactory(email="bo@comuns.example", language="en", stewards=[reseller])

    assert steward_availability_check(on=DUE) == 0  # taking: recorded, nobody told
    assert steward_availability_check(on=DUE) == 0
    assert sent == []

    assert steward_availability_check(on=LAST_DAY_OF_GRACE) == 0  # still open: nobody told
    assert sent == []
    closed_day = LAST_DAY_OF_GRACE + datetime.timedelta(days=1)
    assert steward_availability_check(on=closed_day) == 1
    assert steward_availability_check(on=closed_day) == 0  # the second run tells nobody
    assert sorted(sent) == [
        ("ana@comuns.example", "ca", "resellers/email/steward_closed"),
        ("bo@comuns.example", "en", "resellers/email/steward_closed"),
    ]
    assert "Comuns Reunits" in mail.outbox[0].subject
    assert "overdue for more than 30 days" in next(
        m.body for m in mail.outbox if m.to == ["bo@comuns.example"]
    )

    RevenueReportFactory(steward=reseller, quarter_start=datetime.date(2026, 1, 1), due_on=DUE)
    from contributions.models import RevenueSharePayment

    RevenueSharePayment.objects.create(
        report=reseller.revenue_reports.get(),
        amount_eur=Decimal("100.00"),
        paid_on=closed_day,
        recorded_by=UserFactory(),
    )
    assert steward_availability_check(on=closed_day) == 1
    assert steward_availability_check(on=closed_day) == 0
    assert [t for _to, _lang, t in sent].count("resellers/email/steward_open") == 2


def test_the_nightly_task_runs_twice_safely(reseller):
    from standing.tasks import steward_availability_nightly

    StewardAdminFactory(stewards=[reseller])
    Membership.objects.filter(member=reseller.member).update(status="lapsed")
    assert steward_availability_nightly()["told"] == 1
    assert steward_availability_nightly()["told"] == 0
    assert len(mail.outbox) == 1


def test_the_policy_admin_shows_the_report_grace(admin_client):
    PolicyFactory()
    html = admin_client.get(reverse("admin:membership_policy_add")).content.decode()
    assert 'name="reseller_report_grace_days"' in html
    assert 'value="30"' in html  # the default a new policy starts from


def test_the_waiting_list_page_names_only_stewards_that_take_applications(
    client, reseller, other, small
):
    """A waitlisted applicant is pointed to stewards with room; one that has room but does not
    take applications (its operational membership lapsed) is not among them."""
    from tests.resellers.test_apply import form_data

    terms = {
        "terms_of_use": TermsVersionFactory(document="terms_of_use", version="1.0"),
        "fair_use": TermsVersionFactory(document="fair_use", version="1.0"),
    }
    full = StewardFactory(slug="full", name="Full House", operational=True, languages=["en"])
    StewardOfferFactory(steward=full, service_level=small, capacity=1)
    MembershipFactory(steward=full, service_level=small, status="active")
    reseller.member.memberships.filter(type=Membership.Type.OPERATIONAL).update(status="lapsed")
    response = client.post(
        _apply_url(full), form_data(terms, service_level=str(small.pk), language="en")
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Maple Rooms" in page  # room, and taking applications
    assert "Comuns Reunits" not in page  # room, but not taking applications
