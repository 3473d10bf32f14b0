"""The provider's rules without a live server: exact redirect URIs, PKCE for public clients,
consent only for services not the co-op's own, the refusal page in the person's language,
the co-op's own service for operational members, sign-ins on /me/, the steward-scoped admin,
the commands, the token endpoint's rate limit and the revocation when a status changes."""

import base64
import hashlib
import io
import re
import urllib.parse

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

from membership.services import membership_status_set
from standing.models import Service, ServiceSignIn
from standing.oidc.selectors import service_access
from standing.oidc.services import service_register, tokens_revoke_refused
from tests.factories import (
    CoopStewardFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

CALLBACK = "https://rooms.example.org/auth/openid_connect/callback"
VERIFIER = "a" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")


@pytest.fixture
def admin():
    CoopStewardFactory()
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def steward():
    return StewardFactory(slug="maple-rooms", name="Maple Rooms", contact_email="hi@maple.example")


def register(steward, admin, **kwargs):
    return service_register(
        steward=steward, name="Rooms", redirect_uris=[CALLBACK], actor=admin, **kwargs
    )


def member_of(steward, *, status="active", language="en", **kwargs):
    contact = MemberContactFactory(user__language=language)
    membership = MembershipFactory(member=contact.member, steward=steward, status=status, **kwargs)
    return contact.user, membership


def authorize_url(application, *, redirect_uri=CALLBACK, pkce=True, **extra):
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": "xyz",
        **extra,
    }
    if pkce:
        query |= {"code_challenge": CHALLENGE.decode(), "code_challenge_method": "S256"}
    return "/o/authorize/?" + urllib.parse.urlencode(query)


def code_of(response):
    assert response.status_code == 302, response.content[:400]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)
    return query.get("code", [None])[0], query


def test_the_redirect_uri_must_match_exactly(client, steward, admin):
    service = register(steward, admin, own_service=False).service
    user, _membership = member_of(steward)
    client.force_login(user)
    for near in (CALLBACK + "/", CALLBACK + "?x=1", CALLBACK.replace("https", "http")):
        response = client.get(authorize_url(service.application, redirect_uri=near))
        assert response.status_code == 400
        assert "This sign-in can" in response.content.decode()
    assert not ServiceSignIn.objects.exists()


def test_a_public_client_without_pkce_is_refused(client, steward, admin):
    service = register(steward, admin, public=True).service
    assert service.application.client_type == Application.CLIENT_PUBLIC
    Application.objects.filter(pk=service.application_id).update(skip_authorization=True)
    user, _membership = member_of(steward)
    client.force_login(user)
    response = client.get(authorize_url(service.application, pkce=False))
    code, query = code_of(response)
    assert code is None
    assert query["error"] == ["invalid_request"]
    # With PKCE, the same client gets its code.
    code, _query = code_of(client.get(authorize_url(service.application)))
    assert code


def test_consent_is_asked_for_a_stewards_service_and_skipped_for_the_coops_own(
    client, steward, admin
):
    theirs = register(steward, admin).service
    user, _membership = member_of(steward)
    client.force_login(user)
    page = client.get(authorize_url(theirs.application))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sign in to Rooms?" in text
    assert "your email address" in text
    assert not ServiceSignIn.objects.exists()
    # Allowing it gives the code, and the sign-in is recorded.
    form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', text))
    form.pop("csrfmiddlewaretoken", None)
    form["allow"] = "on"
    code, _query = code_of(client.post("/o/authorize/", form))
    assert code
    assert ServiceSignIn.objects.filter(user=user, service=theirs).count() == 1

    coop = CoopStewardFactory()
    ours = service_register(
        steward=coop,
        name="Meet.coop rooms",
        redirect_uris=[CALLBACK],
        own_service=True,
        actor=admin,
    ).service
    assert ours.application.skip_authorization
    operational = OperationalMembershipFactory(steward=coop)
    contact = MemberContactFactory(member=operational.member)
    client.force_login(contact.user)
    code, _query = code_of(client.get(authorize_url(ours.application)))
    assert code


def test_only_a_coop_admin_marks_the_coops_own_service(steward, admin):
    from meetcoop.core.errors import DomainError

    steward_admin = StewardAdminFactory(stewards=[steward])
    with pytest.raises(DomainError):
        register(steward, steward_admin, own_service=True)
    with pytest.raises(DomainError):  # and only for the co-op itself
        register(steward, admin, own_service=True)
    with pytest.raises(DomainError):  # nor for another steward
        register(StewardFactory(), steward_admin)
    assert register(steward, steward_admin).service.steward == steward


def test_the_coops_own_service_serves_operational_members_and_the_coops_users(steward, admin):
    coop = CoopStewardFactory()
    ours = service_register(
        steward=coop, name="Ours", redirect_uris=[CALLBACK], own_service=True, actor=admin
    ).service
    operational_user, operational = (
        lambda c: (c.user, OperationalMembershipFactory(member=c.member, steward=coop))
    )(MemberContactFactory())
    coop_user, _m = member_of(coop)
    reseller_user, _m = member_of(steward)
    assert service_access(operational_user, ours).allowed
    assert service_access(operational_user, ours).membership == operational
    assert service_access(coop_user, ours).allowed
    assert service_access(reseller_user, ours).code == "none"
    # An organisation's contact signs in for the organisation's membership.
    assert service_access(UserFactory(), ours).code == "none"


def test_the_refusal_page_speaks_the_persons_language(client, steward, admin):
    service = register(steward, admin).service
    user, _membership = member_of(steward, status="suspended", language="ca")
    client.force_login(user)
    response = client.get(authorize_url(service.application))
    assert response.status_code == 403
    text = response.content.decode()
    assert 'lang="ca"' in text
    assert "Rooms" in text and "hi@maple.example" in text
    assert "suspended" not in text  # no English left


def test_a_lapsed_members_page_says_what_to_do(client, steward, admin):
    from membership.models import StatusChange

    service = register(steward, admin).service
    user, membership = member_of(steward, status="lapsed")
    StatusChange.objects.create(
        membership=membership,
        old_status="active",
        new_status="lapsed",
        effective_on=timezone.localdate(),
        source="nightly",
        reasons=[
            {
                "code": "terms_missing",
                "ok": False,
                "params": {"document": "Terms of Use", "version": "2", "deadline": "2026-01-01"},
            }
        ],
    )
    client.force_login(user)
    text = client.get(authorize_url(service.application)).content.decode()
    assert "Terms of Use 2 is not accepted" in text
    assert "Read and accept the new version on your dashboard." in text
    assert "/me/" in text


def test_sign_ins_are_listed_on_me(client, steward, admin):
    service = register(steward, admin).service
    user, _membership = member_of(steward)
    ServiceSignIn.objects.create(user=user, service=service)
    client.force_login(user)
    text = client.get("/me/").content.decode()
    assert "Services I use" in text
    assert "Rooms" in text and "Maple Rooms" in text


def test_a_status_change_revokes_the_tokens_of_the_services_no_longer_allowed(
    steward, admin, django_capture_on_commit_callbacks
):
    service = register(steward, admin).service
    user, membership = member_of(steward)
    other = register(StewardFactory(), admin).service  # the person holds no membership there
    now = timezone.now()
    for app in (service.application, other.application):
        access = AccessToken.objects.create(
            user=user,
            application=app,
            token=f"a{app.pk}",
            expires=now + timezone.timedelta(hours=1),
        )
        RefreshToken.objects.create(
            user=user, application=app, token=f"r{app.pk}", access_token=access
        )
    assert tokens_revoke_refused(user_ids=[user.pk]) == 1  # the other steward's only
    assert RefreshToken.objects.get(application=service.application).revoked is None

    with django_capture_on_commit_callbacks(execute=True):
        membership_status_set(membership=membership, status="ended", actor=admin, note="Resigned.")
    assert RefreshToken.objects.filter(user=user, revoked__isnull=True).count() == 0
    assert not AccessToken.objects.filter(user=user).exists()
    assert tokens_revoke_refused(user_ids=[user.pk]) == 0  # twice: nothing more


def test_a_stewards_admin_sees_and_registers_only_its_own_services(client, steward, admin):
    mine = register(steward, admin).service
    theirs = register(StewardFactory(), admin).service
    steward_admin = StewardAdminFactory(stewards=[steward])
    client.force_login(steward_admin)
    listing = client.get("/admin/standing/service/").content.decode()
    assert f"/admin/standing/service/{mine.pk}/change/" in listing
    assert f"/admin/standing/service/{theirs.pk}/change/" not in listing
    assert client.get(f"/admin/standing/service/{theirs.pk}/change/").status_code in (302, 404)

    response = client.post(
        "/admin/standing/service/add/",
        {
            "name": "Our rooms",
            "steward": steward.pk,
            "kind": "greenlight",
            "redirect_uris": "https://ours.example/auth/openid_connect/callback",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    service = Service.objects.get(application__name="Our rooms")
    assert not service.own_service and service.created_by == steward_admin
    assert f"OPENID_CONNECT_CLIENT_ID</code></th><td><code>{service.application.client_id}" in text
    secret = re.search(r"OPENID_CONNECT_CLIENT_SECRET</code></th><td><code>([^<]+)", text)[1]
    assert service.application.client_secret != secret  # stored hashed
    assert "OPENID_CONNECT_REDIRECT</code></th><td><code>https://ours.example<" in text

    # Another steward is not offered, and a forged one is refused on the form.
    forged = client.post(
        "/admin/standing/service/add/",
        {
            "name": "X",
            "steward": theirs.steward.pk,
            "kind": "greenlight",
            "redirect_uris": CALLBACK,
        },
    )
    assert forged.status_code == 200
    assert not Service.objects.filter(application__name="X").exists()


def test_oidc_service_prints_the_four_greenlight_values(steward):
    out = io.StringIO()
    call_command(
        "oidc_service",
        "--steward",
        "maple-rooms",
        "--name",
        "Maple Greenlight",
        "--redirect-uri",
        CALLBACK,
        stdout=out,
    )
    values = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    application = Application.objects.get(name="Maple Greenlight")
    assert values["OPENID_CONNECT_CLIENT_ID"] == application.client_id
    assert len(values["OPENID_CONNECT_CLIENT_SECRET"]) > 40
    assert values["OPENID_CONNECT_CLIENT_SECRET"] != application.client_secret
    assert values["OPENID_CONNECT_ISSUER"].endswith("/o")
    assert values["OPENID_CONNECT_REDIRECT"] == "https://rooms.example.org"
    with pytest.raises(CommandError):
        call_command("oidc_service", "--steward", "nope", "--name", "X", "--redirect-uri", CALLBACK)
    with pytest.raises(CommandError):
        call_command(
            "oidc_service", "--steward", "maple-rooms", "--name", "X", "--redirect-uri", "ftp://x"
        )


def test_oidc_key_prints_a_key_the_provider_can_sign_with():
    from jwcrypto import jwk

    out = io.StringIO()
    call_command("oidc_key", stdout=out)
    key = jwk.JWK.from_pem(out.getvalue().encode())
    assert key.has_private and key["kty"] == "RSA"


def test_the_token_endpoint_is_rate_limited(client, settings):
    settings.OIDC_TOKEN_RATE = "3/m"
    answers = [client.post("/o/token/", {"grant_type": "authorization_code"}) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] != [429] * 3
    assert answers[3].status_code == 429
    assert answers[3].json()["error"] == "slow_down"
    assert answers[3]["Retry-After"] == "60"


def test_the_discovery_document_and_jwks(client):
    meta = client.get("/o/.well-known/openid-configuration").json()
    assert meta["issuer"] == "http://testserver/o"
    assert meta["response_types_supported"] == ["code"]
    assert "membership" in meta["claims_supported"]
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    # django-oauth-toolkit's pages to register applications are not served.
    assert client.get("/o/applications/").status_code == 404


def test_production_refuses_to_start_without_a_signing_key():
    import os
    import subprocess
    import sys
    from pathlib import Path

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OIDC_"))}
    clean |= {
        "DJANGO_SETTINGS_MODULE": "meetcoop.settings.production",
        "DJANGO_ALLOWED_HOSTS": "members.example.org",
        "DJANGO_SECRET_KEY": "x" * 60,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "OIDC_RSA_PRIVATE_KEY" in result.stderr
