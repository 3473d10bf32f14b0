"""Audit of the sign-in pages under the site's Content-Security-Policy: ``form-action 'self'``
also holds the redirects that follow a form's post, so Chromium refused to leave the login
page for a service or the forum, and the consent and logout pages for the service, and the
person stayed on the page. Those pages name the services' origins and the forum's."""

import pytest

from standing.oidc.selectors import url_origin
from standing.oidc.services import service_register
from tests.factories import StewardFactory, UserFactory
from tests.standing.test_oidc_provider import CALLBACK, authorize_url, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


def form_action(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directive = next(d.strip() for d in policy.split(";") if d.strip().startswith("form-action"))
    return directive.split()[1:]


@pytest.fixture
def steward():
    return StewardFactory()


@pytest.fixture
def registered(steward):
    admin = UserFactory(is_superuser=True, is_staff=True)
    return service_register(
        steward=steward,
        name="Rooms",
        redirect_uris=[CALLBACK],
        post_logout_redirect_uris=["https://rooms.example.org:8443/signed-out"],
        actor=admin,
    )


def test_the_login_page_lets_its_form_go_on_to_the_services_and_the_forum(
    client, registered, settings
):
    settings.DISCOURSE_URL = "https://forum.example.org/community"
    settings.DISCOURSE_CONNECT_SECRET = "s" * 40
    sources = form_action(client.get("/accounts/login/?next=/o/authorize/"))
    assert "'self'" in sources
    assert "https://rooms.example.org" in sources
    assert "https://rooms.example.org:8443" in sources
    assert "https://forum.example.org" in sources


def test_the_consent_page_lets_its_form_go_on_to_the_service(client, registered, steward):
    user, _membership = member_of(steward)
    client.force_login(user)
    response = client.get(authorize_url(registered.service.application))
    assert response.status_code == 200
    assert "https://rooms.example.org" in form_action(response)


def test_other_pages_keep_their_forms_on_the_site(client, registered):
    assert form_action(client.get("/apply/")) == ["'self'"]


@pytest.mark.parametrize(
    "uri",
    [
        "https://rooms.example.org; script-src *",
        "https://rooms.example.org,evil",
        "https://'unsafe-inline'/",
        "http://[::1/",
        "no-scheme",
    ],
)
def test_an_address_that_is_no_plain_origin_never_reaches_the_policy(uri):
    assert url_origin(uri) is None
