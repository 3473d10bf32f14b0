"""Audit of DiscourseConnect (SSO audit), as an attacker: return addresses that only look
like the forum's, a payload smuggling fields into the answer, padding and case tricks, a
login that acts for no member, and what the forum is (never) told about roles."""

import base64
import hashlib
import hmac
from urllib.parse import urlencode

import pytest

from standing.models import DiscourseNonce
from tests.factories import UserFactory, voting_member
from tests.standing.test_discourse_connect import (
    FORUM,
    SECRET,
    URL,
    discourse_reads,
    discourse_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def entered_before(monkeypatch):
    """These tests are about the signed request and its answer: every person here has entered
    the forum before. The first entry's question is tested in test_forum_first_entry.py."""
    monkeypatch.setattr("standing.discourse.views.entered_forum_before", lambda user: True)


@pytest.fixture(autouse=True)
def forum(settings):
    settings.DISCOURSE_URL = FORUM
    settings.DISCOURSE_CONNECT_SECRET = SECRET
    settings.DISCOURSE_API_KEY = ""


def signed(payload: str, *, pad=True) -> dict:
    sso = base64.b64encode(payload.encode()).decode()
    if not pad:
        sso = sso.rstrip("=")
    return {"sso": sso, "sig": hmac.new(SECRET.encode(), sso.encode(), hashlib.sha256).hexdigest()}


@pytest.fixture
def member_client(client):
    _member, user = voting_member()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "return_sso_url",
    [
        "https://forum.example.org@evil.example/session/sso_login",
        "https://forum.example.org:8443/session/sso_login",
        "https://forum.example.org\\@evil.example/session/sso_login",
        "javascript://forum.example.org/%0aalert(1)",
        "https:evil.example/session/sso_login",
    ],
)
def test_return_addresses_that_only_look_like_the_forum_are_refused(member_client, return_sso_url):
    params, _nonce = discourse_request(return_sso_url=return_sso_url)
    response = member_client.get(URL, params)
    assert response.status_code == 403
    assert "Location" not in response


@pytest.mark.parametrize(
    "return_sso_url",
    [
        "https://example.org/forum/../admin/session/sso_login",
        "https://example.org/forum/%2e%2e/admin/session/sso_login",
        "https://example.org/forum/./../admin",
        "https://example.org/forum-admin/session/sso_login",
    ],
)
def test_a_forum_under_a_path_is_not_left_by_dot_segments(client, settings, return_sso_url):
    settings.DISCOURSE_URL = "https://example.org/forum"
    _member, user = voting_member()
    client.force_login(user)
    params, _nonce = discourse_request(return_sso_url=return_sso_url)
    response = client.get(URL, params)
    assert response.status_code == 403
    assert "Location" not in response


def test_a_forum_under_a_path_still_signs_in(client, settings):
    settings.DISCOURSE_URL = "https://example.org/forum"
    _member, user = voting_member()
    client.force_login(user)
    params, _nonce = discourse_request(return_sso_url="https://example.org/forum/session/sso_login")
    response = client.get(URL, params)
    assert response.status_code == 302
    assert response["Location"].startswith("https://example.org/forum/session/sso_login?sso=")


def test_a_nonce_cannot_smuggle_fields_into_the_answer(member_client):
    nonce = "abc&admin=true&moderator=true&external_id=1&add_groups=admins"
    params = signed(urlencode({"nonce": nonce, "return_sso_url": f"{FORUM}/session/sso_login"}))
    fields = discourse_reads(member_client.get(URL, params))
    assert fields["nonce"] == nonce
    assert "admin" not in fields and "moderator" not in fields
    assert "admins" not in (fields.get("add_groups") or "")


def test_extra_request_fields_are_not_echoed(member_client):
    payload = urlencode(
        {
            "nonce": "n-extra-1",
            "return_sso_url": f"{FORUM}/session/sso_login",
            "admin": "true",
            "external_id": "999999",
            "email": "someone.else@example.org",
        }
    )
    fields = discourse_reads(member_client.get(URL, signed(payload)))
    assert "admin" not in fields
    assert fields["external_id"] != "999999"
    assert fields["email"] != "someone.else@example.org"


def test_a_coop_admin_is_no_forum_admin_or_moderator(client):
    _member, user = voting_member()
    type(user).objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    user.refresh_from_db()
    client.force_login(user)
    params, _nonce = discourse_request()
    fields = discourse_reads(client.get(URL, params))
    assert "admin" not in fields and "moderator" not in fields


def test_external_id_stays_when_the_email_changes(client):
    _member, user = voting_member()
    client.force_login(user)
    first = discourse_reads(client.get(URL, discourse_request()[0]))
    user.email = "a.new.address@example.org"
    user.save()
    client.force_login(user)
    second = discourse_reads(client.get(URL, discourse_request()[0]))
    assert first["external_id"] == second["external_id"] == str(user.pk)
    assert second["email"] == "a.new.address@example.org"


def test_a_login_acting_for_no_member_is_refused_and_spends_no_nonce(client):
    client.force_login(UserFactory())
    params, nonce = discourse_request()
    response = client.get(URL, params)
    assert response.status_code == 403
    assert "Location" not in response
    assert not DiscourseNonce.objects.filter(nonce=nonce).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_with_nothing_signed(client):
    params, nonce = discourse_request()
    response = client.get(URL, params)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "sig%3D" in response["Location"]  # the request itself, to come back to
    assert not DiscourseNonce.objects.filter(nonce=nonce).exists()


def test_a_nonce_spent_by_one_person_is_refused_to_another(client):
    params, _nonce = discourse_request()
    _member, first = voting_member()
    client.force_login(first)
    assert client.get(URL, params).status_code == 302
    _member, second = voting_member()
    client.force_login(second)
    assert client.get(URL, params).status_code == 403


def test_padding_and_case_tricks_are_answered_never_a_500(member_client):
    payload = urlencode({"nonce": "n-pad-1", "return_sso_url": f"{FORUM}/session/sso_login"})
    unpadded = signed(payload + "x", pad=False)  # a length that needs padding
    assert member_client.get(URL, unpadded).status_code == 400
    upper = signed(payload)
    upper["sig"] = upper["sig"].upper()
    assert member_client.get(URL, upper).status_code == 302
    huge = signed(urlencode({"nonce": "n" * 500, "return_sso_url": f"{FORUM}/"}))
    assert member_client.get(URL, huge).status_code == 400
    no_nonce = signed(urlencode({"return_sso_url": f"{FORUM}/"}))
    assert member_client.get(URL, no_nonce).status_code == 400
    assert member_client.put(URL, signed(payload)).status_code == 405


@pytest.mark.parametrize(
    "payload, status",
    [
        ("nonce=odd1&return_sso_url=https://[::1/session/sso_login", 403),
        ("nonce=odd%00two&return_sso_url=" + FORUM + "/session/sso_login", 400),
    ],
)
def test_a_signed_but_odd_request_is_refused_never_a_500(member_client, payload, status):
    response = member_client.get(URL, signed(payload))
    assert response.status_code == status
    assert "Location" not in response
    assert not DiscourseNonce.objects.exists()
