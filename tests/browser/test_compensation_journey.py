"""Paid work in the browser: a coordinator logs hours agreed in advance as paid work, another
approves them, the member sees what the co-op owes on /me/, and a treasurer records it paid in
the admin; each page passes axe."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from meetcoop.core.roles import TREASURERS
from tests.browser.a11y import assert_accessible
from tests.browser.people import seated, sign_in
from tests.factories import (
    CircleFactory,
    PolicyFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paid_work_is_owed_then_settled(browser, live_server):
    PolicyFactory(compensation_hour_rate=Decimal("20.00"))
    tech = CircleFactory(name="Tech", slug="tech")
    coord_a, coord_b = seated(tech, "coordinator"), seated(tech, "coordinator")
    member = seated(tech, "member")
    treasurer = seated()
    treasurer.user.is_staff = True
    treasurer.user.save(update_fields=["is_staff"])
    treasurer.user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])

    a = sign_in(browser, live_server, coord_a.user.email)
    a.goto("/contributions/coordinate/")
    a.fill("textarea[name=description]", "Moved the recordings to the new server, as agreed")
    a.get_by_label("Agreed in advance as paid work").check()
    a.get_by_label(str(member.member)).fill("3")
    assert_accessible(a, where="the coordinator's page")
    a.get_by_role("button", name="Log hours").click()
    expect(a.locator(".messages")).to_contain_text("1 entry logged")

    b = sign_in(browser, live_server, coord_b.user.email)
    b.goto("/contributions/coordinate/")
    b.locator("tr", has_text=str(member.member)).get_by_role("button", name="Approve").click()
    expect(b.locator(".messages")).to_contain_text("Approved 3 hours")

    m = sign_in(browser, live_server, member.user.email)
    m.goto("/me/")
    expect(m.locator("main")).to_contain_text("€60.00 still owed")
    assert_accessible(m, where="/me/ with compensation owed")
    m.goto("/contributions/")
    expect(m.get_by_role("heading", name="What the co-op owes you")).to_be_visible()
    # Paid work never counts toward the voluntary commitment.
    expect(m.locator("#commitment-progress")).to_have_attribute("aria-valuenow", "0.00")

    t = sign_in(browser, live_server, treasurer.user.email)
    t.goto("/contributions/treasury/")
    expect(t.locator("#owed-total")).to_contain_text("€60.00")
    t.get_by_role("link", name="Record a settlement").click()
    t.fill("input[name=member]", str(member.member.pk))
    t.locator("select[name=kind]").select_option("paid")
    t.fill("input[name=amount]", "60")
    t.locator("select[name=currency]").select_option("EUR")
    t.fill("input[name=settled_on]", datetime.date.today().isoformat())
    t.locator("input[name=_save]").click()
    expect(t.locator(".messagelist")).to_contain_text("was added successfully")
    t.goto("/contributions/treasury/")
    expect(t.locator("#owed-total")).to_contain_text("owes its members nothing")
