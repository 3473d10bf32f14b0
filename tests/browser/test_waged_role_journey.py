"""A coordinator publishes a waged role, a member applies, the coordinator accepts, and the
circle's page lists the holder; axe on each page."""

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.people import seated, sign_in
from tests.factories import (
    CircleFactory,
    PolicyFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_apply_accept(browser, live_server):
    PolicyFactory()
    tech = CircleFactory(name="Tech", slug="tech")
    coordinator, member = seated(tech, "coordinator"), seated()

    c = sign_in(browser, live_server, coordinator.user.email)
    c.goto("/governance/roles/")
    c.fill("input[name=title]", "Server caretaker")
    c.locator("select[name=circle]").select_option(str(tech.pk))
    c.fill("textarea[name=description]", "Keep the BigBlueButton servers patched.")
    c.fill("input[name=hours_per_month]", "20")
    c.fill("input[name=pay_per_month]", "400")
    c.locator("select[name=currency]").select_option("EUR")
    c.fill("input[name=closes_on]", "2099-01-31")
    assert_accessible(c, where="the roles page with its publish form")
    c.get_by_role("button", name="Publish the role").click()
    expect(c.locator(".messages")).to_contain_text("The role is published.")

    m = sign_in(browser, live_server, member.user.email)
    m.goto("/governance/roles/")
    m.get_by_role("link", name="Server caretaker").click()
    m.fill("textarea[name=statement]", "I run servers for a living.")
    assert_accessible(m, where="a role's page")
    m.get_by_role("button", name="Send my application").click()
    expect(m.locator(".messages")).to_contain_text("Your application was sent.")

    c.goto(m.url.replace(live_server.url, ""))
    c.get_by_role("button", name="Accept").click()
    expect(c.locator(".messages")).to_contain_text("now holds the role")
    c.goto("/governance/circles/tech/")
    expect(c.locator("main")).to_contain_text("Server caretaker")
    assert_accessible(c, where="the circle's page with its role holders")


def test_a_coordinator_lets_the_circle_vote_on_an_application(browser, live_server):
    from governance import services
    from tests.governance.test_waged_roles import publish

    PolicyFactory()
    tech = CircleFactory(name="Tech", slug="tech")
    coordinator, member = seated(tech, "coordinator"), seated()
    role = publish(tech, coordinator.user)
    services.role_apply(
        role=role, member=member.member, statement="I run servers.", actor=member.user
    )

    c = sign_in(browser, live_server, coordinator.user.email)
    c.goto(f"/governance/roles/{role.pk}/")
    c.get_by_text("Or let a vote decide").click()
    c.get_by_label("Who decides").select_option("circle")
    assert_accessible(c, where="a role's page with the vote form open")
    c.get_by_role("button", name="Open the proposal").click()
    expect(c.locator(".messages")).to_contain_text("Its outcome decides the application.")
    expect(c.locator("#proposal-role")).to_contain_text("Server caretaker")
    assert_accessible(c, where="the proposal deciding a role application")
    c.goto(f"/governance/roles/{role.pk}/")
    expect(c.locator("#role-applications")).to_contain_text("Sent to the proposal")
