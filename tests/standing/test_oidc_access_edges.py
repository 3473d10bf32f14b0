"""The provider's edges (review R4): who may sign in when one login acts for several members,
the revocation agreeing with the sign-in rule and set-based, a code or a refresh token used
twice, a membership lapsing between the code and its exchange, and malformed requests to /o/
answered with a 4xx, never a 500."""

import base64
import re
import urllib.parse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from membership.models import Membership
from membership.services import membership_status_set
from standing.oidc import receivers
from standing.oidc.selectors import service_access, users_refused
from standing.oidc.services import service_register, tokens_revoke_refused
from tests.factories import (
    CoopStewardFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
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


def test_who_may_sign_in_when_one_login_acts_for_several_members(admin):
    """The revocation (``users_refused``, set-based) and the sign-in (``service_access``)
    answer the same for every person and service."""
    coop = CoopStewardFactory()
    a, b = StewardFactory(slug="a"), StewardFactory(slug="b")
    at_a = register(a, admin).service
    at_b = register(b, admin).service
    ours = register(coop, admin, own_service=True).service

    def person(*holdings):
        user = UserFactory()
        for steward, status, kind in holdings:
            contact = MemberContactFactory(user=user)
            factory = OperationalMembershipFactory if kind == "operational" else MembershipFactory
            factory(member=contact.member, steward=steward, status=status)
        return user

    people = {
        "active at a": person((a, "active", "user")),
        # Their own membership lapsed, but an organisation they are a contact of is active.
        "lapsed, contact of an active organisation": person(
            (a, "lapsed", "user"), (a, "active", "user")
        ),
        "suspended at a, active at b": person((a, "suspended", "user"), (b, "active", "user")),
        "operational": person((coop, "active", "operational")),
        "operational lapsed": person((coop, "lapsed", "operational")),
        "ended at a": person((a, "ended", "user")),
        "nobody's": UserFactory(),
    }
    expected = {
        "active at a": {at_a},
        "lapsed, contact of an active organisation": {at_a},
        "suspended at a, active at b": {at_b},
        "operational": {ours},
        "operational lapsed": set(),
        "ended at a": set(),
        "nobody's": set(),
    }
    services = [at_a, at_b, ours]
    refused = users_refused([(u.pk, s) for u in people.values() for s in services])
    for name, user in people.items():
        for service in services:
            allowed = service_access(user, service).allowed
            assert allowed == (service in expected[name]), (name, service)
            assert ((user.pk, service.pk) not in refused) == allowed, (name, service)
    # The refusal speaks of the membership the person can put right.
    assert service_access(people["suspended at a, active at b"], at_a).code == "suspended"
    assert service_access(people["ended at a"], at_a).code == "ended"
    assert service_access(people["operational lapsed"], ours).code == "lapsed"
    # The claims name the active organisation's membership, not the lapsed one.
    access = service_access(people["lapsed, contact of an active organisation"], at_a)
    assert access.membership.status == Membership.Status.ACTIVE


def _tokens(user, application, n):
    now = timezone.now()
    access = AccessToken.objects.create(
        user=user,
        application=application,
        token=f"a-{user.pk}-{application.pk}-{n}",
        expires=now + timezone.timedelta(hours=1),
    )
    RefreshToken.objects.create(
        user=user,
        application=application,
        token=f"r-{user.pk}-{application.pk}-{n}",
        access_token=access,
    )


def test_the_revocation_takes_the_same_queries_for_3_or_12_people(admin):
    steward = StewardFactory()
    services = [register(steward, admin).service, register(StewardFactory(), admin).service]

    def count(n):
        users = []
        for i in range(n):
            contact = MemberContactFactory()
            MembershipFactory(member=contact.member, steward=steward, status="lapsed")
            for service in services:
                _tokens(contact.user, service.application, i)
            users.append(contact.user.pk)
        with CaptureQueriesContext(connection) as queries:
            revoked = tokens_revoke_refused(user_ids=users)
        assert revoked == 2 * n
        return len(queries)

    assert count(3) == count(12)


def test_a_big_status_change_is_revoked_in_batches_and_twice_is_harmless(
    admin, monkeypatch, django_capture_on_commit_callbacks
):
    steward = StewardFactory()
    service = register(steward, admin).service
    memberships = []
    for i in range(5):
        contact = MemberContactFactory()
        memberships.append(MembershipFactory(member=contact.member, steward=steward))
        _tokens(contact.user, service.application, i)
    sent = []
    from standing import tasks

    real = tasks.revoke_service_tokens.delay
    monkeypatch.setattr(receivers, "REVOKE_BATCH", 2)
    monkeypatch.setattr(
        tasks.revoke_service_tokens, "delay", lambda ids: sent.append(ids) or real(ids)
    )
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(status="lapsed")
    receivers.revoke_tokens_on_status_change(None, membership_ids=[m.pk for m in memberships])
    assert [len(ids) for ids in sent] == [2, 2, 1]
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
    assert not AccessToken.objects.exists()
    assert tasks.revoke_service_tokens([m.pk for m in memberships]) == {"revoked": 0}


def _code(client, service, user):
    client.force_login(user)
    page = client.get(authorize_url(service.application)).content.decode()
    form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page))
    form.pop("csrfmiddlewaretoken", None)
    form["allow"] = "on"
    code, _query = code_of(client.post("/o/authorize/", form))
    assert code
    return code


def _exchange(client, registered, **fields):
    return client.post(
        "/o/token/",
        {
            "client_id": registered.service.application.client_id,
            "client_secret": registered.client_secret,
            **fields,
        },
    )


def _member(steward):
    contact = MemberContactFactory()
    return contact.user, MembershipFactory(member=contact.member, steward=steward)


def test_a_code_is_exchanged_once(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    user, _membership = _member(steward)
    code = _code(client, registered.service, user)
    grant = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": VERIFIER,
    }
    first = _exchange(client, registered, **grant)
    assert first.status_code == 200, first.content
    assert "id_token" in first.json()
    again = _exchange(client, registered, **grant)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_membership_lapsing_between_the_code_and_its_exchange_gets_no_token(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    user, membership = _member(steward)
    code = _code(client, registered.service, user)
    Membership.objects.filter(pk=membership.pk).update(status="lapsed")
    answer = _exchange(
        client,
        registered,
        grant_type="authorization_code",
        code=code,
        redirect_uri=CALLBACK,
        code_verifier=VERIFIER,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(user=user).exists()


def test_a_replayed_refresh_token_revokes_its_family(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    user, _membership = _member(steward)
    code = _code(client, registered.service, user)
    first = _exchange(
        client,
        registered,
        grant_type="authorization_code",
        code=code,
        redirect_uri=CALLBACK,
        code_verifier=VERIFIER,
    ).json()
    second = _exchange(
        client, registered, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert second.status_code == 200
    replay = _exchange(
        client, registered, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert replay.status_code == 400
    # The rotated token of the same family is refused too.
    after = _exchange(
        client,
        registered,
        grant_type="refresh_token",
        refresh_token=second.json()["refresh_token"],
    )
    assert after.status_code == 400


def test_a_membership_ending_is_revoked_through_the_signal(
    client, admin, django_capture_on_commit_callbacks
):
    steward = StewardFactory()
    registered = register(steward, admin)
    user, membership = _member(steward)
    code = _code(client, registered.service, user)
    token = _exchange(
        client,
        registered,
        grant_type="authorization_code",
        code=code,
        redirect_uri=CALLBACK,
        code_verifier=VERIFIER,
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        membership_status_set(membership=membership, status="ended", actor=admin, note="Left.")
    userinfo = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert userinfo.status_code == 401


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("get", "/o/authorize/", {}),
        ("get", "/o/authorize/", {"client_id": "nope", "response_type": "code"}),
        ("get", "/o/authorize/", {"client_id": "a", "client_id2": "b"}),
        ("get", "/o/userinfo/", {}),
        ("get", "/o/logout/", {"id_token_hint": "garbage"}),
        ("get", "/o/logout/", {"client_id": "nope"}),
        ("get", "/o/logout/", {"client_id": "nope", "post_logout_redirect_uri": "https://e.x/"}),
        ("get", "/o/logout/", {"post_logout_redirect_uri": "https://evil.example/"}),
        ("post", "/o/logout/", {"client_id": "nope", "allow": "on"}),
        ("post", "/o/logout/", {"allow": "on", "id_token_hint": "garbage"}),
        ("post", "/o/authorize/", {}),
        ("post", "/o/authorize/", {"client_id": "nope", "allow": "on"}),
        (
            "post",
            "/o/authorize/",
            {
                "client_id": "nope",
                "allow": "on",
                "redirect_uri": CALLBACK,
                "scope": "openid",
                "response_type": "code",
            },
        ),
        ("post", "/o/token/", {}),
        ("post", "/o/token/", {"grant_type": "password", "username": "x", "password": "y"}),
        ("post", "/o/token/", {"grant_type": "authorization_code", "code": "x", "client_id": "?"}),
        ("post", "/o/revoke_token/", {"token": "x"}),
        ("post", "/o/introspect/", {"token": "x"}),
    ],
)
def test_a_malformed_request_is_answered_never_a_500(client, admin, method, url, data):
    client.force_login(UserFactory())
    response = getattr(client, method)(url, data)
    assert 400 <= response.status_code < 500, response.content[:300]


@pytest.mark.parametrize("client_id", ["rooms\x00", "rooms%00"])
@pytest.mark.parametrize("url", ["/o/token/", "/o/introspect/", "/o/revoke_token/"])
def test_a_nul_in_basic_credentials_is_refused_before_any_lookup(client, admin, url, client_id):
    """The token endpoints look the client up by the id of the Basic credentials (decoded,
    then percent-decoded): PostgreSQL refuses a NUL in text, which was a 500 for anyone."""
    credentials = base64.b64encode(f"{client_id}:secret".encode()).decode()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url,
            {"token": "abc", "grant_type": "authorization_code", "code": "x"},
            HTTP_AUTHORIZATION=f"Basic {credentials}",
        )
    assert response.status_code == 400
    assert not queries.captured_queries


def test_malformed_basic_credentials_are_left_to_the_endpoint(client, admin):
    """Credentials that are not base64 at all are the endpoint's to refuse, in its own words
    (OAuth's JSON error), not the site's page for bad requests."""
    response = client.post(
        "/o/token/", {"grant_type": "authorization_code"}, HTTP_AUTHORIZATION="Basic ***"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_logout_never_redirects_to_an_unregistered_address(client, admin):
    steward = StewardFactory()
    registered = register(steward, admin)
    client.force_login(_member(steward)[0])
    response = client.post(
        "/o/logout/",
        {
            "client_id": registered.service.application.client_id,
            "post_logout_redirect_uri": "https://evil.example/",
            "allow": "on",
        },
    )
    assert response.status_code == 400
    assert "evil.example" not in response.get("Location", "")
    assert urllib.parse.urlsplit(response.get("Location", "")).netloc == ""
