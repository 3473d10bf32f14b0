"""Every role lands where its work is: the home page after sign-in (/home/), its counts and
links into the admin and the site, and the header each person sees."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from meetcoop.core.roles import TREASURERS, ensure_role_groups
from membership.models import StatusNotice
from standing.context_processors import request_roles
from standing.selectors import roles_of
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CircleFactory,
    CircleRoleFactory,
    CoopStewardFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    MeetingFactory,
    MemberContactFactory,
    MembershipFactory,
    MoneyEntryFactory,
    OperationalMembershipFactory,
    RevenueReportFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

TODAY = datetime.date(2026, 6, 15)
HOME = reverse("standing:home")


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def notice(membership, *, days_ago, cause="dues:2026-05-01"):
    return StatusNotice.objects.create(
        membership=membership,
        kind=StatusNotice.Kind.AT_RISK,
        cause=cause,
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def co_op():
    """Two resellers (Maple with work waiting, Nordwind with less), a circle with hours and a
    meeting waiting, dues and a revenue share to collect, and a login for every role."""
    ensure_role_groups()
    coop = CoopStewardFactory()
    maple_owner = OperationalMembershipFactory(admitted_on=datetime.date(2026, 1, 10)).member
    maple = StewardFactory(name="Maple Rooms", slug="maple", member=maple_owner)
    nordwind = StewardFactory(name="Nordwind", slug="nordwind")
    for status in ["submitted", "submitted", "waitlisted", "approved"]:
        ApplicationFactory(steward=maple, status=status)
    ApplicationFactory(steward=nordwind, status="submitted")

    warned = MembershipFactory(steward=maple)
    notice(warned, days_ago=5)
    notice(MembershipFactory(steward=maple), days_ago=40)  # too long ago
    notice(MembershipFactory(steward=maple, status="lapsed"), days_ago=2)  # lapsed already
    notice(MembershipFactory(steward=nordwind), days_ago=1)

    tech = CircleFactory(name="Tech", slug="tech")
    coordinator = MemberContactFactory(member__name="Ada Arnau")
    OperationalMembershipFactory(member=coordinator.member, steward=coop)
    CircleRoleFactory(circle=tech, member=coordinator.member, role="coordinator")
    seated = CircleRoleFactory(circle=tech).member
    LabourEntryFactory(circle=tech, member=seated, hours=Decimal("2.50"))
    LabourEntryFactory(circle=tech, member=seated, hours=Decimal("1.00"))
    LabourEntryFactory(circle=tech, member=coordinator.member)  # her own: not hers to decide
    MeetingFactory(
        title="All Hands June", held_on=datetime.date(2026, 6, 10), attendance_recorded_at=None
    )
    MeetingFactory(
        kind="circle",
        circle=tech,
        title="Tech sync",
        held_on=datetime.date(2026, 6, 12),
        attendance_recorded_at=None,
    )
    MeetingFactory(
        kind="circle",
        circle=CircleFactory(),
        title="Other circle",
        held_on=datetime.date(2026, 6, 12),
        attendance_recorded_at=None,
    )
    MeetingFactory(
        title="All Hands July", held_on=datetime.date(2026, 7, 10), attendance_recorded_at=None
    )
    MeetingFactory(title="All Hands May", held_on=datetime.date(2026, 5, 10))  # recorded

    overdue = DuesInvoiceFactory(membership=warned, due_on=datetime.date(2026, 6, 1))
    DuesInvoiceFactory(
        membership=warned,
        period_start=datetime.date(2026, 7, 1),
        period_end=datetime.date(2026, 7, 31),
        due_on=datetime.date(2026, 7, 1),
    )
    paid = DuesInvoiceFactory(
        membership=warned,
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
        due_on=datetime.date(2026, 5, 1),
    )
    DuesPaymentFactory(invoice=paid)
    DuesPaymentFactory(invoice=overdue, amount=Decimal("4.00"))  # partly paid: still open
    RevenueReportFactory(steward=nordwind)  # share due 30 April, unpaid
    MoneyEntryFactory()

    treasurer = UserFactory(email="treasurer@example.org", is_staff=True)
    treasurer.groups.add(Group.objects.get(name=TREASURERS))
    return {
        "maple": maple,
        "nordwind": nordwind,
        "tech": tech,
        "steward admin": StewardAdminFactory(email="admin@maple.example", stewards=[maple]),
        "coordinator": coordinator.user,
        "treasurer": treasurer,
        "co-op admin": UserFactory(email="boss@example.org", is_staff=True, is_superuser=True),
        "member": MemberContactFactory(member=MembershipFactory(steward=maple).member).user,
        "nobody": UserFactory(email="nobody@example.org"),
    }


def sign_in(client, user):
    """Sign in through the real login page; returns the page it lands on."""
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    return response


def landed(response) -> str:
    return (
        response.redirect_chain[-1][0] if response.redirect_chain else response.request["PATH_INFO"]
    )


def nav_links(html: str) -> set[str]:
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return {re.sub(r"\s+", " ", text).strip() for text in re.findall(r">([^<>]+)</a>", nav)}


# --- where each role lands, and what its header offers ----------------------------------------

LANDINGS = [
    # role, lands on, header links (besides Governance, and Sign out, a button)
    ("steward admin", "/home/", {"My work", "Money in", "Admin"}),
    (
        "coordinator",
        "/home/",
        {"My work", "My membership", "My contributions", "Concerns", "Coordinate"},
    ),
    ("treasurer", "/home/", {"My work", "Treasury", "Money in", "Admin"}),
    ("co-op admin", "/home/", {"My work", "Treasury", "Money in", "Report", "Admin"}),
    ("member", "/me/", {"My membership", "My contributions", "Concerns"}),
    ("nobody", "/home/", {"Home"}),
]


@pytest.mark.parametrize(("role", "lands_on", "links"), LANDINGS)
def test_each_role_lands_on_its_home_after_sign_in_and_sees_its_links(
    client, co_op, role, lands_on, links
):
    response = sign_in(client, co_op[role])
    assert landed(response) == lands_on
    assert nav_links(response.content.decode()) == {"Governance"} | links


def test_a_steward_admin_sees_its_queue_with_links_into_the_admin(client, co_op):
    html = sign_in(client, co_op["steward admin"]).content.decode()
    maple = co_op["maple"].pk
    changelist = "/admin/resellers/application/"
    assert (
        f'href="{changelist}?status=submitted&amp;steward__id__exact={maple}">'
        "2 new applications wait for a decision" in html
    )
    assert (
        f'href="{changelist}?status=waitlisted&amp;steward__id__exact={maple}">'
        "1 application on the waiting list" in html
    )
    assert (
        f'href="/admin/membership/membership/?at_risk=warned&amp;steward__id__exact={maple}">'
        "1 member was warned in the last 30 days" in html
    )
    assert (
        f'href="/admin/contributions/revenuereport/add/?steward={maple}&amp;quarter_start=2026-01-01">'
        "The revenue report for 2026-Q1 is overdue since Apr 30, 2026" in html
    )
    assert "Nordwind" not in html  # another steward's work is not shown
    assert "Treasury" not in html and "The whole co-op" not in html


def test_the_admin_links_of_the_home_show_exactly_what_they_count(client, co_op):
    client.force_login(co_op["steward admin"])
    maple = co_op["maple"].pk
    submitted = client.get(
        "/admin/resellers/application/", {"status": "submitted", "steward__id__exact": maple}
    )
    assert submitted.context["cl"].result_count == 2
    at_risk = client.get(
        "/admin/membership/membership/", {"at_risk": "warned", "steward__id__exact": maple}
    )
    assert at_risk.context["cl"].result_count == 1
    add = client.get(
        "/admin/contributions/revenuereport/add/",
        {"steward": maple, "quarter_start": "2026-01-01"},
    )
    assert add.status_code == 200
    assert add.context["adminform"].form.initial["steward"] == str(maple)

    client.force_login(co_op["treasurer"])
    invoices = "/admin/contributions/duesinvoice/"
    assert client.get(invoices, {"payment": "open"}).context["cl"].result_count == 2
    assert client.get(invoices, {"payment": "overdue"}).context["cl"].result_count == 1
    assert client.get(invoices, {"payment": "paid"}).context["cl"].result_count == 1
    reports = "/admin/contributions/revenuereport/"
    assert client.get(reports, {"share": "unpaid"}).context["cl"].result_count == 1
    assert client.get(reports, {"share": "overdue"}).context["cl"].result_count == 1


def test_a_coordinator_sees_the_hours_it_may_approve_and_the_meetings_to_record(client, co_op):
    html = sign_in(client, co_op["coordinator"]).content.decode()
    tech = co_op["tech"].pk
    assert (
        f'href="/contributions/coordinate/?circle={tech}">'
        "Tech: 2 entries (3.50 hours) wait for your approval" in html
    )
    assert "Record who attended All Hands June (Jun 10, 2026)" in html
    assert "Record who attended Tech sync (Jun 12, 2026)" in html
    assert (
        "Other circle" not in html and "All Hands July" not in html and "All Hands May" not in html
    )
    assert "Operational membership of Ada Arnau" in html and 'href="/me/"' in html
    assert "new application" not in html and "dues invoice" not in html


def test_a_treasurer_sees_open_and_overdue_invoices_and_shares_due(client, co_op):
    html = sign_in(client, co_op["treasurer"]).content.decode()
    assert '?payment=open">2 dues invoices are not paid yet' in html
    assert '?payment=overdue">1 dues invoice is unpaid past its due date' in html
    assert '?share=unpaid">1 revenue-share payment is not paid yet' in html
    assert '?share=overdue">1 revenue-share payment is unpaid past its due date' in html
    assert (
        'href="/contributions/treasury/">1 entry of money or resources waits for approval' in html
    )
    assert "new application" not in html and "Meetings to record" not in html


def test_a_coop_admin_sees_all_of_it_for_the_whole_coop_and_the_last_run(client, co_op):
    html = sign_in(client, co_op["co-op admin"]).content.decode()
    assert '?status=submitted">3 new applications wait for a decision' in html
    assert '?at_risk=warned">2 members were warned' in html
    assert "The revenue report of Maple Rooms for 2026-Q1 is overdue since Apr 30, 2026" in html
    assert "3 entries of hours wait for their circles' coordinators" in html
    assert "Other circle" in html  # a co-op admin may record any meeting
    assert "2 dues invoices are not paid yet" in html
    assert "The nightly status check has never finished a run." in html
    assert f'href="{reverse("standing:report")}"' in html


def test_a_login_with_no_member_and_no_role_is_told_why_not_asked_to_accept_terms(client, co_op):
    from tests.factories import TermsVersionFactory

    TermsVersionFactory()
    html = sign_in(client, co_op["nobody"]).content.decode()
    assert "Nothing is linked to this login yet" in html
    assert "accept" not in html.lower()
    me = client.get(reverse("standing:dashboard")).content.decode()
    assert "Please accept" not in me


def test_a_member_with_no_role_goes_straight_to_its_membership(client, co_op):
    client.force_login(co_op["member"])
    assert client.get(HOME)["Location"] == reverse("standing:dashboard")


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- roles, read once per request ---------------------------------------------------------------


def test_roles_of_each_login(co_op):
    expected = {
        "steward admin": {"steward_admin"},
        "coordinator": {"member", "coordinator"},
        "treasurer": {"treasurer"},
        "co-op admin": {"treasurer", "coop_admin"},
        "member": {"member"},
        "nobody": set(),
    }
    flags = ["member", "steward_admin", "coordinator", "treasurer", "coop_admin"]
    for role, held in expected.items():
        roles = roles_of(co_op[role], on=TODAY)
        assert {flag for flag in flags if getattr(roles, flag)} == held, role


def test_an_ended_coordinator_seat_gives_no_coordinator_role(co_op):
    seat = co_op["tech"].roles.get(role="coordinator")
    seat.ended_on = datetime.date(2026, 6, 1)
    seat.save()
    assert not roles_of(co_op["coordinator"], on=TODAY).coordinator


def test_the_header_reads_the_roles_in_two_queries_once_per_request(
    rf, co_op, django_assert_max_num_queries, django_assert_num_queries
):
    request = rf.get("/")
    request.user = co_op["coordinator"]
    with django_assert_max_num_queries(2):
        request_roles(request)
    with django_assert_num_queries(0):
        request_roles(request)


def test_a_page_reads_the_roles_for_its_header_once(client, co_op):
    """The header asks for the roles six times; they are read in one query (plus the groups,
    read once per user)."""
    client.force_login(co_op["coordinator"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("resellers:steward_list")).content.decode()
    assert "Coordinate" in nav_links(html)
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sum("runs_steward" in sql for sql in sqls) == 1
    assert sum("auth_group" in sql for sql in sqls) <= 1


# --- a constant number of queries ----------------------------------------------------------------


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


def grow(co_op):
    """Three more stewards (one more run by the steward admin), circles, meetings, work."""
    admin = co_op["steward admin"]
    coordinator = co_op["coordinator"].member_links.get().member
    for _n in range(3):
        owner = OperationalMembershipFactory(admitted_on=datetime.date(2025, 1, 10)).member
        steward = StewardFactory(member=owner)
        steward.admins.add(admin)
        ApplicationFactory.create_batch(3, steward=steward)
        notice(MembershipFactory(steward=steward), days_ago=3)
        circle = CircleFactory()
        CircleRoleFactory(circle=circle, member=coordinator, role="coordinator")
        LabourEntryFactory.create_batch(
            2, circle=circle, member=CircleRoleFactory(circle=circle).member
        )
        MeetingFactory(kind="circle", circle=circle, held_on=TODAY, attendance_recorded_at=None)
        DuesInvoiceFactory(membership=MembershipFactory(steward=steward))
        DuesInvoiceFactory(membership=MembershipFactory(steward=steward))


@pytest.mark.parametrize("role", ["steward admin", "coordinator", "treasurer", "co-op admin"])
def test_the_home_page_costs_a_fixed_number_of_queries(client, co_op, role):
    """As many queries for four stewards, circles and their work as for one."""
    client.force_login(co_op[role])
    small = home_queries(client)
    grow(co_op)
    assert home_queries(client) == small
    assert small <= 30
