"""Audit of the ``iss`` of the authorization response (RFC 9207, the mix-up defence): it must
be the issuer of the discovery document and of the ID tokens. django-oauth-toolkit's read an
RFC 8414 metadata address the site does not serve and fell back to the site's root
(``http://testserver``, not ``http://testserver/o``), so a service checking it refused every
sign-in."""

import pytest

from tests.factories import CoopStewardFactory, UserFactory
from tests.standing.test_oidc_provider import CALLBACK, authorize_url, code_of, member_of, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


@pytest.fixture
def coop():
    return CoopStewardFactory()


@pytest.fixture
def signed_in(client, coop):
    user, _membership = member_of(coop)
    client.force_login(user)
    return user


def issuer_of(client):
    return client.get("/o/.well-known/openid-configuration").json()["issuer"]


def test_a_code_names_the_issuer_of_the_discovery_document(client, coop, signed_in):
    registered = register(coop, UserFactory(is_superuser=True), own_service=True)
    code, query = code_of(client.get(authorize_url(registered.service.application)))
    assert code
    assert query["iss"] == [issuer_of(client)] == ["http://testserver/o"]


def test_a_refusal_sent_back_names_it_too(client, coop, signed_in):
    registered = register(coop, UserFactory(is_superuser=True))
    application = registered.service.application
    _code, query = code_of(client.get(authorize_url(application, prompt="none")))
    assert query["error"] == ["consent_required"]
    assert query["iss"] == [issuer_of(client)]
    cancelled = client.post(
        "/o/authorize/",
        {
            "client_id": application.client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "openid",
            "state": "xyz",
        },
    )
    _code, query = code_of(cancelled)
    assert query["error"] == ["access_denied"]
    assert query["iss"] == [issuer_of(client)]


def test_a_configured_issuer_is_the_one_named(client, coop, signed_in, settings):
    settings.OIDC_ISSUER = "https://members.example.org/o"
    registered = register(coop, UserFactory(is_superuser=True), own_service=True)
    _code, query = code_of(client.get(authorize_url(registered.service.application)))
    assert query["iss"] == ["https://members.example.org/o"]
