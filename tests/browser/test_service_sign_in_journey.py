"""In headless chromium: signing in to a steward's service and to the forum ends at the service
and at the forum. The site's policy allows forms to post to this site only, and Chromium holds
the redirect that follows a form's post to it as well: the sign-in page, the consent page and
the forum's first-entry page must name these destinations, or the person stays on our page."""

import base64
import hashlib
import hmac
import secrets
import urllib.parse

import pytest

from tests.factories import PASSWORD, voting_member
from tests.standing.test_oidc_provider import CALLBACK, authorize_url, member_of, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORUM = "https://forum.example.org"
SECRET = "forum-shared-secret-0123456789"


def arrivals(page, origin: str) -> list[str]:
    """Answer every request to ``origin`` (which this machine can't reach) with a small page,
    and list the addresses the browser went to there."""
    seen: list[str] = []

    def answer(route):
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>arrived</title>")

    page.route(f"{origin}/**", answer)
    return seen


def sign_in_form(page, email):
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()


def test_signing_in_to_a_stewards_service_arrives_at_the_service(browser, live_server, policy):
    from tests.factories import CoopStewardFactory, StewardFactory, UserFactory

    CoopStewardFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    steward = StewardFactory(slug="maple-rooms", name="Maple Rooms")
    application = register(steward, admin).service.application
    user, _membership = member_of(steward)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])

    page = browser.new_context(base_url=live_server.url).new_page()
    seen = arrivals(page, "https://rooms.example.org")
    page.goto(authorize_url(application))
    sign_in_form(page, user.email)  # the sign-in page, on the way to the service
    page.get_by_role("button", name="Sign me in").click()  # the consent page
    page.wait_for_url(f"{CALLBACK}?*")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(seen[-1]).query)
    assert query["code"] and query["state"] == ["xyz"]


def test_entering_the_forum_the_first_time_arrives_at_the_forum(
    browser, live_server, policy, settings
):
    settings.DISCOURSE_URL = FORUM
    settings.DISCOURSE_CONNECT_SECRET = SECRET
    settings.DISCOURSE_API_KEY = ""
    _member, user = voting_member()
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    nonce = secrets.token_hex(16)
    payload = urllib.parse.urlencode(
        {"nonce": nonce, "return_sso_url": f"{FORUM}/session/sso_login"}
    )
    sso = base64.b64encode(payload.encode()).decode()
    sig = hmac.new(SECRET.encode(), sso.encode(), hashlib.sha256).hexdigest()

    page = browser.new_context(base_url=live_server.url).new_page()
    seen = arrivals(page, FORUM)
    page.goto("/forum/connect/?" + urllib.parse.urlencode({"sso": sso, "sig": sig}))
    sign_in_form(page, user.email)  # the sign-in page, on the way to the forum
    page.get_by_role("button", name="Enter the forum").click()  # the first-entry page
    page.wait_for_url(f"{FORUM}/session/sso_login?*")
    answer = urllib.parse.parse_qs(urllib.parse.urlsplit(seen[-1]).query)
    fields = urllib.parse.parse_qs(base64.b64decode(answer["sso"][0]).decode())
    assert fields["nonce"] == [nonce]
    assert fields["email"] == [user.email]
