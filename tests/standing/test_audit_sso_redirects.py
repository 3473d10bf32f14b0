"""Audit of the authorization and token endpoints (SSO audit): redirect URIs that extend or
bend the registered one, PKCE downgrades, and a code exchanged without the client's proof."""

import pytest

from standing.models import ServiceSignIn
from standing.oidc.services import service_register
from tests.factories import (
    CoopStewardFactory,
    MemberContactFactory,
    MembershipFactory,
    StewardFactory,
    UserFactory,
)
from tests.standing.test_oidc_provider import CALLBACK, VERIFIER, authorize_url, code_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


@pytest.fixture
def setup(client):
    CoopStewardFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    steward = StewardFactory()
    registered = service_register(
        steward=steward, name="Rooms", redirect_uris=[CALLBACK], actor=admin
    )
    app = registered.service.application
    app.skip_authorization = True
    app.save(update_fields=["skip_authorization"])
    contact = MemberContactFactory()
    MembershipFactory(member=contact.member, steward=steward)
    client.force_login(contact.user)
    return registered


@pytest.mark.parametrize(
    "uri",
    [
        CALLBACK + "/../../evil",
        CALLBACK + "evil",
        CALLBACK + "%2F..%2Fevil",
        CALLBACK + "#frag",
        CALLBACK + "?",
        CALLBACK.replace("/auth/", "/AUTH/"),
        CALLBACK.replace("rooms.example.org", "rooms.example.org:443"),
        CALLBACK.replace("rooms.example.org", "rooms.example.org.evil.example"),
        CALLBACK.replace("rooms.example.org", "evil.example@rooms.example.org"),
        CALLBACK.replace("https://", "https://rooms.example.org\\@"),
        "https://evil.example/auth/openid_connect/callback",
    ],
)
def test_a_redirect_uri_bent_from_the_registered_one_gets_no_code(client, setup, uri):
    response = client.get(authorize_url(setup.service.application, redirect_uri=uri))
    assert response.status_code == 400
    assert "code=" not in response.get("Location", "")
    assert not ServiceSignIn.objects.exists()


def test_plain_pkce_is_refused(client, setup):
    response = client.get(
        authorize_url(
            setup.service.application,
            pkce=False,
            code_challenge=VERIFIER,
            code_challenge_method="plain",
        )
    )
    code, query = code_of(response)
    assert code is None and query["error"]


def _exchange(client, setup, code, **fields):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "client_id": setup.service.application.client_id,
        **fields,
    }
    return client.post("/o/token/", {k: v for k, v in data.items() if v is not None})


def test_a_code_needs_the_secret_and_the_verifier(client, setup):
    code, _query = code_of(client.get(authorize_url(setup.service.application)))
    secret = setup.client_secret
    assert _exchange(client, setup, code, code_verifier=VERIFIER).status_code == 401
    assert (
        _exchange(client, setup, code, client_secret="x" * 20, code_verifier=VERIFIER).status_code
        == 401
    )
    assert _exchange(client, setup, code, client_secret=secret).status_code == 400
    assert (
        _exchange(client, setup, code, client_secret=secret, code_verifier="b" * 50).status_code
        == 400
    )
    # A wrong proof does not spend the code (a verifier can't be guessed in its 60 s); the
    # right one gets the tokens, once.
    assert (
        _exchange(client, setup, code, client_secret=secret, code_verifier=VERIFIER).status_code
        == 200
    )
    assert (
        _exchange(client, setup, code, client_secret=secret, code_verifier=VERIFIER).status_code
        == 400
    )


def test_a_code_is_bound_to_its_redirect_uri_and_client(client, setup):
    code, _query = code_of(client.get(authorize_url(setup.service.application)))
    other = service_register(
        steward=setup.service.steward,
        name="Other",
        redirect_uris=[CALLBACK],
        actor=None,
    )
    stolen = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": other.service.application.client_id,
            "client_secret": other.client_secret,
            "code_verifier": VERIFIER,
        },
    )
    assert stolen.status_code == 400
    moved = _exchange(
        client,
        setup,
        code,
        client_secret=setup.client_secret,
        code_verifier=VERIFIER,
        redirect_uri=CALLBACK + "/x",
    )
    assert moved.status_code == 400
