"""In headless chromium, at a desktop's and a phone's width: each role signs in, lands on its
home page, and follows its first link to the work waiting for it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from meetcoop.core.roles import TREASURERS, ensure_role_groups
from tests.browser.a11y import assert_accessible
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CircleFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    LabourEntryFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]


@pytest.fixture
def people():
    PolicyFactory()
    ensure_role_groups()
    maple = StewardFactory(name="Maple Rooms", slug="maple")
    ApplicationFactory(steward=maple, name="Claire Tremblay", email="claire@example.org")
    tech = CircleFactory(name="Tech", slug="tech")
    coordinator = MemberContactFactory(user__email="ada@example.org")
    OperationalMembershipFactory(member=coordinator.member)
    CircleRoleFactory(circle=tech, member=coordinator.member, role="coordinator")
    seated = CircleRoleFactory(circle=tech, member__name="Bruno Duarte").member
    LabourEntryFactory(
        circle=tech, member=seated, hours=Decimal("3.00"), occurred_on=datetime.date.today()
    )
    DuesInvoiceFactory(membership=MembershipFactory(steward=maple))
    StewardAdminFactory(email="admin@maple.example", stewards=[maple])
    treasurer = UserFactory(email="treasurer@example.org", is_staff=True)
    treasurer.groups.add(Group.objects.get(name=TREASURERS))
    UserFactory(email="boss@example.org", is_staff=True, is_superuser=True)


def sign_in(browser, live_server, email, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("heading", name="My work", level=1).wait_for()
    assert page.url == f"{live_server.url}/home/"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(page, where=f"/home/ of {email} at {viewport['width']} px")
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1280", "390"])
def test_each_role_lands_on_its_work_and_follows_its_first_link(
    live_server, browser, people, viewport
):
    nav = "nav[aria-label=Main]"

    # A steward's admin: from the count of new applications to the admin's filtered list.
    page = sign_in(browser, live_server, "admin@maple.example", viewport)
    page.get_by_role("link", name="1 new application waits for a decision").click()
    page.locator("#result_list").wait_for()
    assert re.search(r"/admin/resellers/application/\?status=submitted", page.url)
    assert page.get_by_role("link", name="Claire Tremblay").is_visible()

    # A coordinator: from the hours of its circle to the page where it decides them.
    page = sign_in(browser, live_server, "ada@example.org", viewport)
    assert page.locator(nav).get_by_role("link", name="Coordinate").is_visible()
    page.get_by_role("link", name=re.compile(r"Tech: 1 entry \(3 hours\) waits")).click()
    page.get_by_text("Bruno Duarte").first.wait_for()
    assert "/contributions/coordinate/" in page.url
    assert_accessible(page, where="the coordinator's first task")

    # A treasurer: from the open invoices to the admin's list of them.
    page = sign_in(browser, live_server, "treasurer@example.org", viewport)
    assert page.locator(nav).get_by_role("link", name="Treasury").is_visible()
    page.get_by_role("link", name="1 dues invoice is not paid yet").click()
    page.locator("#result_list").wait_for()
    assert "payment=open" in page.url

    # A co-op admin: the whole co-op, and the report one click away.
    page = sign_in(browser, live_server, "boss@example.org", viewport)
    page.get_by_role("heading", name="The whole co-op").wait_for()
    page.get_by_role("link", name="The membership report").click()
    page.get_by_role("heading", name="Membership report").wait_for()
    assert_accessible(page, where="the co-op admin's first task")
