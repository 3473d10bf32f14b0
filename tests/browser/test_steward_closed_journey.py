"""In headless chromium: a visitor finds a reseller that is not taking applications (its
operational membership lapsed), reads why in plain words, and goes on to a steward with room
(issue 14). Axe on the list and the closed page."""

import pytest

from membership.models import Membership
from tests.browser.a11y import assert_accessible
from tests.factories import (
    PolicyFactory,
    ServiceLevelFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsVersionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_closed_steward_says_so_and_points_to_one_with_room(live_server, page):
    PolicyFactory()
    TermsVersionFactory(document="terms_of_use", version="1.0")
    TermsVersionFactory(document="fair_use", version="1.0")
    small = ServiceLevelFactory(code="small", name="Small")
    closed = StewardFactory(slug="comuns", name="Comuns Reunits", operational=True)
    StewardOfferFactory(steward=closed, service_level=small, capacity=5)
    Membership.objects.filter(member=closed.member).update(status="lapsed")
    open_one = StewardFactory(slug="maple", name="Maple Rooms", operational=True)
    StewardOfferFactory(steward=open_one, service_level=small, capacity=5)

    page.goto(f"{live_server.url}/apply/")
    assert_accessible(page, where="the steward list with a closed steward")
    page.get_by_role("link", name="Comuns Reunits: why, and who has room instead").click()
    page.get_by_role(
        "heading", name="Comuns Reunits is not taking new applications at the moment"
    ).wait_for()
    assert page.locator("input[name=email]").count() == 0
    assert_accessible(page, where="the closed steward's page")
    page.get_by_role("link", name="Maple Rooms").click()
    page.get_by_role("button", name="Send my application").wait_for()
