"""The Done-when of issue 17: a relying party built on a kept OIDC client library (Authlib)
signs a member in against a live test server: authorization code with PKCE, token exchange,
the ID token's signature checked against the JWKS, the userinfo claims; the same flow refused
for a lapsed member and for a member of another steward; a lapsed member's tokens no longer
refresh, and a new sign-in works again once the membership is active."""

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from django.conf import settings as django_settings

from membership.models import Membership
from membership.services import membership_status_set
from standing.models import ServiceSignIn, ServiceSubject
from standing.oidc.services import service_register
from tests.factories import (
    CoopStewardFactory,
    MemberContactFactory,
    MembershipFactory,
    ServiceLevelFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("policy")]

CALLBACK = "https://rooms.example.org/auth/openid_connect/callback"


@pytest.fixture
def steward():
    return StewardFactory(slug="maple-rooms", name="Maple Rooms", contact_email="hi@maple.example")


@pytest.fixture
def registered(steward):
    # A Greenlight of the steward: a confidential client (a secret, stored hashed), consent
    # skipped so the flow runs without a page in between (the consent page has its own test).
    admin = UserFactory(is_superuser=True, is_staff=True)
    CoopStewardFactory()
    return service_register(
        steward=steward, name="Maple Greenlight", redirect_uris=[CALLBACK], actor=admin
    )


@pytest.fixture
def own(registered):
    # Consent skipped (the flow under test is the protocol, not the page).
    app = registered.service.application
    app.skip_authorization = True
    app.save(update_fields=["skip_authorization"])
    return registered


def member_of(steward, *, status="active", language="en"):
    contact = MemberContactFactory(
        member__name="Ada Lovelace", user__name="Ada Lovelace", user__language=language
    )
    membership = MembershipFactory(
        member=contact.member,
        steward=steward,
        status=status,
        service_level=ServiceLevelFactory(code="small"),
    )
    return contact.user, membership


class RelyingParty:
    """A Greenlight stand-in: Authlib's OAuth2Session, discovering the provider."""

    def __init__(self, live_server, registered):
        self.base = live_server.url
        self.meta = requests.get(f"{self.base}/o/.well-known/openid-configuration").json()
        application = registered.service.application
        self.client_id = application.client_id
        self.session = OAuth2Session(
            application.client_id,
            registered.client_secret,
            scope="openid email profile",
            redirect_uri=CALLBACK,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )

    def authorize(self, browser):
        """Send the person's browser to the authorization endpoint; its answer."""
        self.verifier = generate_token(48)
        self.nonce = generate_token(16)
        url, self.state = self.session.create_authorization_url(
            self.meta["authorization_endpoint"], code_verifier=self.verifier, nonce=self.nonce
        )
        return browser.get(url, allow_redirects=False)

    def sign_in(self, browser):
        answer = self.authorize(browser)
        assert answer.status_code == 302, answer.text[:500]
        location = answer.headers["Location"]
        assert location.startswith(CALLBACK)
        return self.session.fetch_token(
            self.meta["token_endpoint"],
            authorization_response=location,
            code_verifier=self.verifier,
        )

    def verified_id_token(self, token):
        keys = JsonWebKey.import_key_set(requests.get(self.meta["jwks_uri"]).json())
        claims = jwt.decode(
            token["id_token"],
            keys,
            claims_options={
                "iss": {"essential": True, "value": self.meta["issuer"]},
                "aud": {"essential": True, "value": self.client_id},
                "nonce": {"essential": True, "value": self.nonce},
            },
        )
        claims.validate()
        return claims


def browser_of(client, user, live_server):
    """A browser signed in as ``user`` on the live server (the session made by force_login)."""
    client.force_login(user)
    browser = requests.Session()
    name = django_settings.SESSION_COOKIE_NAME
    browser.headers["Cookie"] = f"{name}={client.cookies[name].value}"
    return browser


def test_a_member_signs_in_with_pkce_and_the_id_token_verifies_against_the_jwks(
    client, live_server, steward, own
):
    user, membership = member_of(steward)
    rp = RelyingParty(live_server, own)
    assert rp.meta["issuer"] == f"{live_server.url}/o"
    assert "S256" in rp.meta["code_challenge_methods_supported"]
    assert "RS256" in rp.meta["id_token_signing_alg_values_supported"]

    token = rp.sign_in(browser_of(client, user, live_server))
    assert token["token_type"] == "Bearer"
    assert 0 < token["expires_in"] <= 600
    claims = rp.verified_id_token(token)

    sub = str(ServiceSubject.objects.get(user=user).sub)
    assert claims["sub"] == sub != str(user.pk)
    assert claims["email"] == user.email
    assert claims["email_verified"] is True
    assert claims["name"] == "Ada Lovelace"
    assert claims["locale"] == "en"
    assert claims["membership"] == {
        "type": "user",
        "level": "small",
        "steward": "maple-rooms",
        "status": "active",
    }

    info = rp.session.get(rp.meta["userinfo_endpoint"]).json()
    assert info["sub"] == sub
    assert info["email"] == user.email
    assert info["membership"]["steward"] == "maple-rooms"

    # The same person signs in again: the same subject.
    again = RelyingParty(live_server, own)
    assert (
        again.verified_id_token(again.sign_in(browser_of(client, user, live_server)))["sub"] == sub
    )
    assert ServiceSignIn.objects.filter(user=user, service=own.service).count() == 2


def test_a_lapsed_member_is_refused_with_a_page_saying_why(client, live_server, steward, own):
    user, _membership = member_of(steward, status="lapsed")
    rp = RelyingParty(live_server, own)
    answer = rp.authorize(browser_of(client, user, live_server))
    assert answer.status_code == 403
    assert "has lapsed" in answer.text
    assert "hi@maple.example" in answer.text
    assert not ServiceSignIn.objects.exists()


def test_a_member_of_another_steward_is_refused(client, live_server, steward, own):
    user, _membership = member_of(StewardFactory(name="Nordwind"))
    rp = RelyingParty(live_server, own)
    answer = rp.authorize(browser_of(client, user, live_server))
    assert answer.status_code == 403
    assert "you hold no membership with them" in answer.text


def test_a_lapsed_members_tokens_no_longer_refresh_and_reinstating_lets_them_in_again(
    client, live_server, steward, own
):
    user, membership = member_of(steward)
    rp = RelyingParty(live_server, own)
    token = rp.sign_in(browser_of(client, user, live_server))
    refreshed = rp.session.refresh_token(
        rp.meta["token_endpoint"], refresh_token=token["refresh_token"]
    )
    assert refreshed["access_token"] != token["access_token"]

    admin = UserFactory(is_superuser=True)
    membership_status_set(
        membership=membership, status="suspended", actor=admin, note="Fair use breach."
    )
    # The receiver revoked the tokens; the refresh is refused.
    with pytest.raises(OAuthError):
        rp.session.refresh_token(
            rp.meta["token_endpoint"], refresh_token=refreshed["refresh_token"]
        )
    assert requests.get(
        rp.meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
    ).status_code in (401, 403)

    membership_status_set(
        membership=Membership.objects.get(pk=membership.pk),
        status="active",
        actor=admin,
        note="Reinstated.",
    )
    again = RelyingParty(live_server, own)
    assert again.verified_id_token(again.sign_in(browser_of(client, user, live_server)))


def test_a_refresh_is_refused_once_the_membership_lapsed_even_if_the_tokens_were_not_revoked(
    client, live_server, steward, own
):
    """The validator asks again at every refresh, whatever the revocation task did."""
    user, membership = member_of(steward)
    rp = RelyingParty(live_server, own)
    token = rp.sign_in(browser_of(client, user, live_server))
    Membership.objects.filter(pk=membership.pk).update(status="lapsed")  # no signal
    with pytest.raises(OAuthError):
        rp.session.refresh_token(rp.meta["token_endpoint"], refresh_token=token["refresh_token"])
