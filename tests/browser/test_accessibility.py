"""axe-core on the main pages, at a desktop's (1280x800) and a phone's (390x844) width: no
serious or critical violation on the public pages, the application form with and without
errors, sign-in and set-password, each role's /home/, /me/, a proposal, the coordinate,
treasury and ledger pages, the co-op report and a 404. The Django admin is left out: its
templates are Django's own.

With A11Y_SCREENSHOTS=<folder> each page is also saved there as a full-page screenshot."""

import datetime
import os
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from governance import services as governance
from meetcoop.core.roles import TREASURERS, ensure_role_groups
from resellers.services.emails import password_set_url
from tests.browser.a11y import VIEWPORT_IDS, VIEWPORTS, assert_accessible
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CircleFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    LabourEntryFactory,
    MembershipFactory,
    PolicyFactory,
    ProposalFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsVersionFactory,
    UserFactory,
    voting_member,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("A11Y_SCREENSHOTS")


@pytest.fixture
def world():
    PolicyFactory()
    ensure_role_groups()
    TermsVersionFactory(document="terms_of_use", version="1.0")
    TermsVersionFactory(document="fair_use", version="1.0")
    small = ServiceLevelFactory(code="small", name="Small")
    maple = StewardFactory(
        name="Maple Rooms", slug="maple", languages=["en", "fr"], operational=True
    )
    StewardOfferFactory(steward=maple, service_level=small, capacity=5)
    ApplicationFactory(steward=maple, name="Claire Tremblay", email="claire@example.org")
    StewardAdminFactory(email="admin@maple.example", stewards=[maple])

    member, member_user = voting_member()
    coordinator, coordinator_user = voting_member()
    tech = CircleFactory(name="Tech", slug="tech")
    start = timezone.localdate() - datetime.timedelta(days=30)
    CircleRoleFactory(circle=tech, member=coordinator, role="coordinator", started_on=start)
    CircleRoleFactory(circle=tech, member=member, started_on=start)
    LabourEntryFactory(
        circle=tech, member=member, hours=Decimal("3.00"), occurred_on=timezone.localdate()
    )
    DuesInvoiceFactory(membership=MembershipFactory(steward=maple))
    treasurer = UserFactory(email="treasurer@example.org", is_staff=True)
    treasurer.groups.add(Group.objects.get(name=TREASURERS))
    UserFactory(email="boss@example.org", is_staff=True, is_superuser=True)
    proposal = governance.proposal_open(
        proposal=ProposalFactory(author=coordinator_user, title="Move the servers"),
        closes_at=timezone.now() + datetime.timedelta(days=3),
        actor=coordinator_user,
    )
    invited = UserFactory(email="new@example.org")
    invited.set_unusable_password()
    invited.save()
    return {
        "member": member_user.email,
        "coordinator": coordinator_user.email,
        "proposal": proposal,
        "set_password": urlsplit(password_set_url(invited)).path,
    }


class Checker:
    def __init__(self, browser, live_server, viewport, label):
        self.browser, self.live_server, self.viewport, self.label = (
            browser,
            live_server,
            viewport,
            label,
        )
        self.page = self.new_page()
        self.checked = []

    def new_page(self):
        context = self.browser.new_context(base_url=self.live_server.url, viewport=self.viewport)
        return context.new_page()

    def check(self, name, path=None):
        if path is not None:
            self.page.goto(path)
        self.page.wait_for_load_state()
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=f"{SHOTS}/{name}-{self.label}.png", full_page=True)
        assert_accessible(self.page, where=f"{name} at {self.label} ({self.page.url})")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        wide = self.page.evaluate(
            """w => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .filter(e => !e.parentElement.closest('table'))
                .slice(0, 5).map(e => e.outerHTML.slice(0, 80))""",
            self.viewport["width"],
        )
        assert width <= self.viewport["width"], f"{name} is {width} px wide: {wide}"
        self.checked.append(name)

    def sign_in(self, email):
        self.page.context.clear_cookies()
        self.page.goto("/accounts/login/")
        self.page.locator("input[name=login]").fill(email)
        self.page.locator("input[name=password]").fill(PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.get_by_role("heading", level=1).first.wait_for()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_the_public_pages_and_forms_pass_axe(browser, live_server, world, viewport):
    c = Checker(browser, live_server, viewport, f"{viewport['width']}")
    c.check("home", "/")
    c.check("stewards", "/apply/")
    c.check("apply", "/apply/maple/")
    # Sent empty: the summary lists each error as a link to its field and takes the focus.
    c.page.get_by_role("button", name="Send my application").click()
    summary = c.page.locator("[data-error-summary]")
    c.page.wait_for_function("document.activeElement.hasAttribute('data-error-summary')")
    c.check("apply-errors")
    name = c.page.locator("#id_name")
    assert name.get_attribute("aria-invalid") == "true"
    c.page.locator("[data-error-summary] a[href='#id_name']").click()
    assert c.page.evaluate("document.activeElement.id") == "id_name"

    c.check("sign-in", "/accounts/login/")
    c.page.locator("input[name=login]").fill("nobody@example.org")
    c.page.locator("input[name=password]").fill("wrong")
    c.page.locator("main form button[type=submit]").click()
    summary.wait_for()
    c.check("sign-in-errors")
    c.check("set-password", world["set_password"])
    c.check("not-found", "/no-such-page/")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_each_roles_pages_pass_axe(browser, live_server, world, viewport):
    c = Checker(browser, live_server, viewport, f"{viewport['width']}")

    c.sign_in(world["member"])
    c.check("member-home", "/home/")
    c.check("me", "/me/")
    c.check("my-ledger", "/contributions/")
    c.check("proposal", f"/governance/proposals/{world['proposal'].pk}/")
    # A block without its reason: the stance form with errors.
    c.page.get_by_label("Block").check()
    c.page.get_by_role("button", name="Record my stance").click()
    c.page.locator("[data-error-summary]").wait_for()
    c.check("proposal-errors")

    c.sign_in(world["coordinator"])
    c.check("coordinator-home", "/home/")
    c.check("coordinate", "/contributions/coordinate/")

    c.sign_in("admin@maple.example")
    c.check("steward-admin-home", "/home/")

    c.sign_in("treasurer@example.org")
    c.check("treasurer-home", "/home/")
    c.check("treasury", "/contributions/treasury/")
    c.check("ledger", "/contributions/ledger/")

    c.sign_in("boss@example.org")
    c.check("coop-admin-home", "/home/")
    c.check("report", "/reports/status/")
