"""In headless chromium at 1280x800: the admin's list of applications shows every column
beside its filters, with nothing cut off."""

import pytest

from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    PolicyFactory,
    ServiceLevelFactory,
    StewardFactory,
    StewardOfferFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_fits_at_1280_for_a_coop_admin_with_every_column(live_server, browser):
    PolicyFactory()
    level = ServiceLevelFactory(code="medium", name="Medium")
    people = [
        ("Nordwind Meetings", "Lesekreis Hamburg e.V.", "Jana Richter", "verein@lesekreis.example"),
        ("Comuns Reunits", "", "Jordi Vila", "jordi.vila@example.net"),
        ("Maple Rooms", "Prairie Housing Co-op", "Claire Tremblay", "hello@prairiehousing.example"),
    ]
    for steward_name, organisation, name, email in people:
        steward = StewardFactory(name=steward_name)
        StewardOfferFactory(steward=steward, service_level=level)
        ApplicationFactory(
            steward=steward,
            service_level=level,
            kind="organisation" if organisation else "person",
            organisation_name=organisation,
            name=name,
            email=email,
            status="waitlisted",
        )
    UserFactory(email="boss@example.org", is_staff=True, is_superuser=True)

    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/resellers/application/")
    page.locator("input[name=login]").fill("boss@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("#result_list").wait_for()

    results = page.locator("#changelist .results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth")  # no column cut off
    filters = page.locator("#changelist-filter").bounding_box()
    for column in ["submitted_on", "applicant", "asks_for", "steward", "status"]:
        box = page.locator(f"#result_list th.column-{column}").bounding_box()
        assert box["x"] + box["width"] <= filters["x"], column
    assert page.get_by_role("cell", name="on the waiting list").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
