"""A circle's coordinator adds its circle's meeting, records who was there, and the member
reads on /me/ that the meeting counts, under a policy that counts circle meetings. Every page
is checked with axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.people import seated, sign_in
from tests.factories import CircleFactory, PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_records_its_circles_meeting_and_it_counts(browser, live_server):
    PolicyFactory(participation_rule="circle")
    tech = CircleFactory(name="Tech", slug="tech")
    CircleFactory(name="Outreach", slug="outreach")
    coordinator = seated(tech, "coordinator")
    member = seated(tech, "member")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    page = sign_in(browser, live_server, coordinator.user.email)
    page.goto("/governance/meetings/new/")
    assert_accessible(page)
    # A coordinator plans only circle meetings, of its own circles.
    expect(page.locator("select[name=kind]")).not_to_contain_text("All Hands")
    expect(page.locator("select[name=circle]")).not_to_contain_text("Outreach")
    page.locator("select[name=circle]").select_option(label="Tech")
    page.locator("input[name=title]").fill("Tech sync")
    page.locator("input[name=held_on]").fill(yesterday.isoformat())
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.locator(".messages")).to_contain_text("The meeting was added.")
    assert_accessible(page)

    page.locator("tr", has_text="Tech sync").get_by_role("link", name="Record attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance: Tech sync")
    assert_accessible(page)
    page.get_by_label(member.member.display_name).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".messages")).to_contain_text("Attendance recorded.")
    expect(page.locator("tr", has_text="Tech sync")).to_contain_text("1")

    me = sign_in(browser, live_server, member.user.email)
    me.goto("/me/")
    expect(me.locator("main")).to_contain_text(
        "Attended 1 of 1 meetings of your circles (100 %), 50 % needed."
    )
    assert_accessible(me)
