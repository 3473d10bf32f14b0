"""Audit of the provider's claims (SSO audit): a service reads only what the scopes the person
agreed to let it read, through every door: the ID token, userinfo and token introspection."""

import base64
import json
import re
import urllib.parse

import pytest
from oauth2_provider.models import AccessToken

from standing.oidc.services import service_register, subject_of
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
def admin():
    CoopStewardFactory()
    return UserFactory(is_superuser=True, is_staff=True)


def register(steward, admin, **kwargs):
    return service_register(
        steward=steward, name="Rooms", redirect_uris=[CALLBACK], actor=admin, **kwargs
    )


def member(steward, **user):
    contact = MemberContactFactory(**{f"user__{k}": v for k, v in user.items()})
    MembershipFactory(member=contact.member, steward=steward)
    return contact.user


def sign_in(client, registered, user, *, scope):
    """The whole code flow with ``scope``: the token endpoint's answer (JSON)."""
    client.force_login(user)
    page = client.get(authorize_url(registered.service.application, scope=scope))
    form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.content.decode()))
    form.pop("csrfmiddlewaretoken", None)
    form["allow"] = "on"
    code, _query = code_of(client.post("/o/authorize/", form))
    assert code
    answer = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": VERIFIER,
            "client_id": registered.service.application.client_id,
            "client_secret": registered.client_secret,
        },
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def id_token_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_service_without_the_email_scope_never_reads_the_email(client, admin):
    """A person with no name: ``name`` used to fall back to the email, handing the address to
    a service that asked only ``openid profile`` (its consent page never said "your email
    address")."""
    steward = StewardFactory()
    registered = register(steward, admin)
    user = member(steward, name="", email="quiet.person@example.org")
    token = sign_in(client, registered, user, scope="openid profile")
    claims = id_token_claims(token["id_token"])
    info = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}").json()
    for seen in (claims, info):
        assert "quiet.person" not in json.dumps(seen), seen
        assert "email" not in seen
        assert seen["sub"] == subject_of(user)
        assert seen["membership"]["status"] == "active"


def test_with_the_email_scope_a_nameless_person_is_named_by_their_address(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    user = member(steward, name="", email="quiet.person@example.org")
    token = sign_in(client, registered, user, scope="openid email profile")
    claims = id_token_claims(token["id_token"])
    assert claims["email"] == "quiet.person@example.org"
    assert claims["name"] == "quiet.person@example.org"


def test_a_named_person_keeps_their_name_without_the_email_scope(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    user = member(steward, name="Ada Lovelace", email="ada@example.org")
    token = sign_in(client, registered, user, scope="openid profile")
    assert id_token_claims(token["id_token"])["name"] == "Ada Lovelace"


def test_openid_alone_gives_the_subject_and_nothing_else_of_the_person(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    user = member(steward, name="Ada Lovelace", email="ada@example.org")
    token = sign_in(client, registered, user, scope="openid")
    info = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}").json()
    assert info == {"sub": subject_of(user)}


def _introspect(client, registered, token, **auth):
    credentials = {
        "client_id": registered.service.application.client_id,
        "client_secret": registered.client_secret,
    }
    return client.post("/o/introspect/", {"token": token, **(auth or credentials)})


def test_introspection_does_not_hand_out_the_email(client, admin):
    """Introspection named the person by their username, the email, whatever the scopes."""
    steward = StewardFactory()
    registered = register(steward, admin)
    user = member(steward, name="Ada", email="ada@example.org")
    token = sign_in(client, registered, user, scope="openid")
    answer = _introspect(client, registered, token["access_token"])
    assert answer.status_code == 200
    data = answer.json()
    assert data["active"] is True
    assert data["client_id"] == registered.service.application.client_id
    assert "ada@example.org" not in json.dumps(data)
    assert data["sub"] == subject_of(user)


def test_a_service_cannot_introspect_another_services_token(client, admin):
    steward = StewardFactory()
    ours = register(steward, admin)
    theirs = register(StewardFactory(), admin)
    user = member(steward, email="ada@example.org")
    token = sign_in(client, ours, user, scope="openid email")
    answer = _introspect(client, theirs, token["access_token"])
    assert answer.status_code == 200
    assert answer.json() == {"active": False}


def test_a_public_client_id_alone_does_not_open_introspection(client, admin):
    """A public client has no secret: its client_id (public, in every authorization URL)
    passed DOT's client authentication with an empty secret."""
    steward = StewardFactory()
    confidential = register(steward, admin)
    public = register(steward, admin, public=True)
    user = member(steward, email="ada@example.org")
    token = sign_in(client, confidential, user, scope="openid email")
    for auth in (
        {"client_id": public.service.application.client_id},
        {"client_id": public.service.application.client_id, "client_secret": ""},
    ):
        answer = client.post("/o/introspect/", {"token": token["access_token"], **auth})
        assert answer.status_code in (200, 401, 403)
        assert "ada@example.org" not in answer.content.decode()
        if answer.status_code == 200:
            assert answer.json() == {"active": False}
    # And nobody without credentials.
    assert client.post("/o/introspect/", {"token": token["access_token"]}).status_code in (
        401,
        403,
    )


def test_an_expired_token_is_inactive_and_refused_at_userinfo(client, admin):
    from django.utils import timezone

    steward = StewardFactory()
    registered = register(steward, admin)
    user = member(steward)
    token = sign_in(client, registered, user, scope="openid email")
    AccessToken.objects.filter(user=user).update(
        expires=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert (
        client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}").status_code
        == 401
    )
    assert _introspect(client, registered, token["access_token"]).json() == {"active": False}


def test_nonce_and_state_make_the_round_trip(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    app = registered.service.application
    app.skip_authorization = True
    app.save(update_fields=["skip_authorization"])
    user = member(steward)
    client.force_login(user)
    response = client.get(authorize_url(app, nonce="n-0S6_WzA2Mj", state="st-42"))
    code, query = code_of(response)
    assert query["state"] == ["st-42"]
    answer = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": VERIFIER,
            "client_id": app.client_id,
            "client_secret": registered.client_secret,
        },
    ).json()
    assert id_token_claims(answer["id_token"])["nonce"] == "n-0S6_WzA2Mj"
    assert urllib.parse.urlsplit(response["Location"]).netloc == "rooms.example.org"
