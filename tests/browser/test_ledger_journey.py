"""A coordinator logs 10 hours for a member, another coordinator approves them, and the
member's commitment bar moves by 25 % (10 of the policy's 40 hours)."""

import pytest
from playwright.sync_api import expect

from tests.browser.people import seated, sign_in
from tests.factories import (
    CircleFactory,
    PolicyFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_another_approves_and_the_bar_moves(browser, live_server):
    PolicyFactory()  # 500 EUR or 40 hours
    tech = CircleFactory(name="Tech", slug="tech")
    coord_a, coord_b = seated(tech, "coordinator"), seated(tech, "coordinator")
    member = seated(tech, "member")

    member_page = sign_in(browser, live_server, member.user.email)
    member_page.goto("/contributions/")
    bar = member_page.locator("#commitment-progress")
    expect(bar).to_have_attribute("aria-valuenow", "0.00")

    a = sign_in(browser, live_server, coord_a.user.email)
    a.goto("/contributions/coordinate/")
    a.fill("textarea[name=description]", "Migrated the recordings server")
    a.get_by_label(str(member.member)).fill("10")
    a.get_by_role("button", name="Log hours").click()
    expect(a.locator(".messages")).to_contain_text("1 entry logged")
    expect(a.locator(".messages")).to_contain_text("You, or any other coordinator of the circle")
    # The other coordinator of the circle approves.

    b = sign_in(browser, live_server, coord_b.user.email)
    b.goto("/contributions/coordinate/")
    row = b.locator("tr", has_text=str(member.member)).filter(has_text="10.00")
    row.get_by_role("button", name="Approve").click()
    expect(b.locator(".messages")).to_contain_text(f"Approved 10 hours for {member.member}.")

    member_page.reload()
    expect(bar).to_have_attribute("aria-valuenow", "25.00")
    expect(member_page.locator(".progress-percent")).to_have_text("25.00 %")
