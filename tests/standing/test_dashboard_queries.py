"""/me/ reads a fixed number of queries, whatever the member's history, and the status it
shows is the one the nightly job computes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from contributions.selectors import quarter_end
from governance.models import Proposal, Voter
from membership.models import Membership
from standing.selectors import member_dashboard, status_evaluate
from tests.factories import (
    AttendanceFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    MeetingFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    MoneyEntryFactory,
    OperationalMembershipFactory,
    ProposalFactory,
    RevenueReportFactory,
    StewardFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

NOW = datetime.datetime(2026, 11, 24, 3, 0, tzinfo=datetime.UTC)
# Queries /me/ may read, the session and the login included. 16 since issue 15: one more for
# the pledge invoices of an operational membership, listed among the invoices to pay. 17 since
# issue 17: one more for the services the person signed in to (standing.oidc.services_used).
MOST = 17


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


def history(member, user_membership, n):
    """``n`` of each: seats, attended All Hands Meetings, approved hours and money, paid
    invoices, open proposals the member votes on."""
    for i in range(n):
        seat = CircleRoleFactory(member=member)
        meeting = MeetingFactory(held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i))
        AttendanceFactory(meeting=meeting, member=member)
        LabourEntryFactory(member=member, status="approved", circle=seat.circle)
        MoneyEntryFactory(member=member, status="approved")
        if user_membership is not None:
            start = datetime.date(2024, 1, 1) + datetime.timedelta(days=31 * i)
            invoice = DuesInvoiceFactory(
                membership=user_membership,
                period_start=start,
                period_end=start + datetime.timedelta(days=30),
            )
            DuesPaymentFactory(invoice=invoice)
        proposal = ProposalFactory(
            status=Proposal.Status.OPEN,
            opens_at=NOW,
            closes_at=NOW + datetime.timedelta(days=7, hours=i),
            electorate_size=1,
        )
        Voter.objects.create(proposal=proposal, member=member)


def terms(version, *, days_ago, document="terms_of_use"):
    from membership.models import TermsVersion

    return TermsVersion.objects.filter(
        document=document, version=version
    ).first() or TermsVersionFactory(
        document=document, version=version, published_at=NOW - datetime.timedelta(days=days_ago)
    )


def person_with_both_memberships(n):
    """A person with an operational and a user membership, terms accepted and newer ones to
    accept, and ``n`` of everything else."""
    contact = MemberContactFactory()
    OperationalMembershipFactory(member=contact.member)
    user_membership = MembershipFactory(member=contact.member)
    TermsAcceptanceFactory(member=contact.member, terms_version=terms("1.0", days_ago=400))
    terms("2.0", days_ago=3)
    history(contact.member, user_membership, n)
    return contact.user


def contact_of_two_organisations(n):
    """A login that acts for two organisations, each with both memberships."""
    user = UserFactory()
    for name in ("Tenants Union", "Food Co-op"):
        organisation = MemberFactory(kind="organisation", organisation_name=name)
        MemberContactFactory(member=organisation, user=user)
        OperationalMembershipFactory(member=organisation)
        history(organisation, MembershipFactory(member=organisation), n)
    return user


def login_without_member(n):
    terms("1.0", days_ago=400)
    return UserFactory()


CASES = [person_with_both_memberships, contact_of_two_organisations, login_without_member]


def queries_of_the_page(client, user) -> int:
    client.force_login(user)
    client.get("/me/")  # what Django reads once per process is not the page's cost
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/me/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_the_dashboard_reads_at_most_17_queries(client, django_assert_max_num_queries, case):
    client.force_login(case(3))
    # A cold cache: the nightly schedule is read on this page too (once per ten minutes).
    with django_assert_max_num_queries(MOST):
        response = client.get("/me/")
    assert response.status_code == 200


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_the_dashboards_query_count_does_not_grow_with_the_members_history(client, case):
    """2 and 20 of each: invoices, meetings attended, seats, proposals, ledger rows."""
    few = queries_of_the_page(client, case(2))
    many = queries_of_the_page(client, case(20))
    assert many == few <= MOST


def test_a_member_that_runs_a_reseller_reads_four_queries_more(client):
    """The reseller's standing (its first quarter, its reports and payments, the policies of
    the quarters' ends, its kind) is read by ``resellers_standing_for``, the nightly job's
    set-based selector, only for a member that runs a reseller: a fixed 4 more queries."""
    user = person_with_both_memberships(3)
    plain = queries_of_the_page(client, user)
    steward = StewardFactory(member=user.member_links.get().member)
    for month in (1, 4, 7):
        start = datetime.date(2025, month, 1)
        RevenueReportFactory(
            steward=steward,
            quarter_start=start,
            quarter_end=quarter_end(start),
            due_on=quarter_end(start) + datetime.timedelta(days=30),
        )
    assert queries_of_the_page(client, user) == plain + 4


# --- what it shows is what the nightly job computes --------------------------------------------


def evaluations_on_the_dashboard(user):
    on = timezone.localdate(NOW)
    cards = member_dashboard(user, on=on, now=NOW)["cards"]
    return {
        card["membership"].pk: (
            card["computed"],
            [(r["code"], r["ok"], r["at_risk"], r["params"]) for r in card["reasons"]],
        )
        for card in cards
    }


def evaluations_of_the_nightly_job(user):
    on = timezone.localdate(NOW)
    memberships = Membership.objects.filter(member__contact_links__user=user)
    return {
        e.membership_id: (e.computed, [(r.code, r.ok, r.at_risk, r.params) for r in e.reasons])
        for e in status_evaluate(memberships, on=on)
    }


def lapsing_organisations():
    """Two organisations of one contact: one attended, was admitted mid-window, runs a reseller
    with a report overdue and owes dues; the other has nothing and new terms to accept."""
    user = UserFactory()
    first = MemberFactory(kind="organisation", organisation_name="First")
    second = MemberFactory(kind="organisation", organisation_name="Second")
    for organisation in (first, second):
        MemberContactFactory(member=organisation, user=user)
    OperationalMembershipFactory(member=first, admitted_on=datetime.date(2026, 3, 1))
    OperationalMembershipFactory(member=second, admitted_on=datetime.date(2024, 6, 1))
    owing = MembershipFactory(member=first)
    MembershipFactory(member=second)
    StewardFactory(member=first)
    for day in (datetime.date(2026, 2, 1), datetime.date(2026, 4, 1), datetime.date(2026, 6, 1)):
        AttendanceFactory(meeting=MeetingFactory(held_on=day), member=first)
    MeetingFactory(held_on=datetime.date(2026, 12, 10), attendance_recorded_at=None)  # soon
    CircleRoleFactory(member=first)
    MoneyEntryFactory(member=first, status="approved", amount="499.99", eur_value="499.99")
    for hours in ("12.00", "12.00", "12.00", "3.99"):
        LabourEntryFactory(member=second, status="approved", hours=hours)
    DuesInvoiceFactory(membership=owing, period_start=datetime.date(2026, 9, 1))
    paid = DuesInvoiceFactory(membership=owing, period_start=datetime.date(2026, 10, 1))
    DuesPaymentFactory(invoice=paid, amount="4.00")
    TermsAcceptanceFactory(member=first, terms_version=terms("1.0", days_ago=500))
    terms("2.0", days_ago=60)
    terms("3.0", days_ago=5)
    terms("1.0", days_ago=90, document="fair_use")
    return user


@pytest.mark.parametrize(
    "case",
    [person_with_both_memberships, contact_of_two_organisations, lapsing_organisations],
    ids=lambda case: case.__name__,
)
def test_the_dashboard_shows_what_the_nightly_job_computes(case):
    user = case(3) if case is not lapsing_organisations else case()
    shown = evaluations_on_the_dashboard(user)
    assert shown == evaluations_of_the_nightly_job(user)
    assert shown  # not vacuous


def test_the_dashboard_still_shows_everything(client):
    user = person_with_both_memberships(8)
    MeetingFactory(title="Winter assembly", held_on=datetime.date(2026, 12, 10))
    client.force_login(user)
    response = client.get("/me/")
    page = response.content.decode()
    operational, user_card = response.context["cards"]
    assert operational["progress"].hours == 16 and operational["progress"].money_eur == 800
    assert [m.attended for m in operational["meetings"]] == [True] * 8
    assert len(user_card["invoices"]) == 6
    latest = datetime.date(2024, 1, 1) + datetime.timedelta(days=31 * 7)
    assert [i.period_start for i in user_card["invoices"]][:2] == [
        latest,
        latest - datetime.timedelta(days=31),
    ]
    assert user_card["invoices"][0].paid == user_card["invoices"][0].amount
    assert "Please accept Terms of Use 2.0" in page
    assert "Next All Hands Meeting: Winter assembly" in page
    assert page.count("you have not voted yet") == 8
    assert len(response.context["seats"]) == 8


def test_each_organisations_card_shows_its_own_attendance(client):
    user = contact_of_two_organisations(0)
    first, second = (link.member for link in user.member_links.order_by("member__name"))
    meeting = MeetingFactory(held_on=datetime.date(2026, 5, 1))
    AttendanceFactory(meeting=meeting, member=first)
    client.force_login(user)
    cards = client.get("/me/").context["cards"]
    attended = {
        card["membership"].member: [m.attended for m in card["meetings"]]
        for card in cards
        if "meetings" in card
    }
    assert attended == {first: [True], second: [False]}


def test_the_nightly_schedule_is_read_once_and_forgotten_when_it_changes(client):
    """/me/ shows the next nightly check from the schedule in the database; it is read once
    for every page for ten minutes, and read anew as soon as the schedule is saved."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    client.force_login(person_with_both_memberships(2))
    crontab = CrontabSchedule.objects.create(minute="30", hour="2")
    task = PeriodicTask.objects.create(
        name="nightly (test)", task="standing.tasks.recompute_status_nightly", crontab=crontab
    )
    cold = queries_of_the_page(client, client.get("/me/").wsgi_request.user)
    with CaptureQueriesContext(connection) as warm:
        client.get("/me/")
    assert not any("django_celery_beat" in q["sql"] for q in warm.captured_queries)
    crontab.hour = "3"
    crontab.save()
    with CaptureQueriesContext(connection) as after_save:
        page = client.get("/me/")
    assert any("django_celery_beat" in q["sql"] for q in after_save.captured_queries)
    assert cold <= MOST and task.pk
    assert page.status_code == 200
