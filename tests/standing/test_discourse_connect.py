"""Discourse's side of DiscourseConnect, played from its published specification: the forum
sends the browser to the provider with ``sso`` (base64 of a query string holding ``nonce`` and
``return_sso_url``) and ``sig`` (hex HMAC-SHA256 of that base64 text under the shared secret);
the provider sends it back to ``return_sso_url`` with a signed answer holding the same nonce,
who the person is, and the groups to add and remove."""

import base64
import datetime
import hashlib
import hmac
import html
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from standing.models import DiscourseNonce, ForumAccount
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    voting_member,
)

FORUM = "https://forum.example.org"
SECRET = "forum-shared-secret-0123456789"
URL = "/forum/connect/"


@pytest.fixture(autouse=True)
def entered_before(monkeypatch):
    """These tests are about the signed request and its answer: every person here has entered
    the forum before. The first entry's question is tested in test_forum_first_entry.py."""
    monkeypatch.setattr("standing.discourse.views.entered_forum_before", lambda user: True)


@pytest.fixture(autouse=True)
def forum(settings):
    settings.DISCOURSE_URL = FORUM
    settings.DISCOURSE_CONNECT_SECRET = SECRET
    settings.DISCOURSE_API_KEY = ""  # sign-in only: no pushes in these tests


def discourse_request(*, nonce=None, return_sso_url=f"{FORUM}/session/sso_login", secret=SECRET):
    """What Discourse puts on the provider's URL: ``sso`` and ``sig``."""
    nonce = nonce or secrets.token_hex(16)
    payload = urlencode({"nonce": nonce, "return_sso_url": return_sso_url})
    sso = base64.b64encode(payload.encode()).decode()
    sig = hmac.new(secret.encode(), sso.encode(), hashlib.sha256).hexdigest()
    return {"sso": sso, "sig": sig}, nonce


def discourse_reads(response) -> dict:
    """What Discourse does with the answer: check where it came back to, check the signature,
    decode the payload."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{FORUM}/session/sso_login"
    query = parse_qs(location.query)
    sso, sig = query["sso"][0], query["sig"][0]
    expected = hmac.new(SECRET.encode(), sso.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, sig)
    fields = parse_qs(base64.b64decode(sso).decode(), keep_blank_values=True)
    return {key: values[0] for key, values in fields.items()}


def groups(value: str | None) -> set[str]:
    return set(value.split(",")) if value else set()


@pytest.mark.django_db
def test_a_member_signs_in_to_the_forum_with_their_groups(client):
    tech = CircleFactory(slug="tech")
    CircleFactory(slug="finance")
    member, user = voting_member(membership_type="operational")
    MembershipFactory(member=member)  # and a user membership
    CircleRoleFactory(member=member, circle=tech, started_on=datetime.date(2024, 1, 1))
    user.language = "ca"
    user.save()
    client.force_login(user)
    params, nonce = discourse_request()

    answer = discourse_reads(client.get(URL, params))

    assert answer["nonce"] == nonce
    assert answer["email"] == user.email
    assert answer["external_id"] == str(user.pk)
    assert answer["name"] == user.name
    assert answer["username"]
    assert answer["require_activation"] == "false"
    assert answer["locale"] == "ca"
    assert groups(answer["add_groups"]) == {"operational-members", "user-members", "circle-tech"}
    assert groups(answer["remove_groups"]) == {"circle-finance"}
    assert ForumAccount.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_user_member_of_an_organisation_is_in_user_members_only(client):
    CircleFactory(slug="tech")
    ended_seat_circle = CircleFactory(slug="outreach")
    contact = MemberContactFactory()
    MembershipFactory(member=contact.member)
    OperationalMembershipFactory(member=contact.member, status="lapsed")
    CircleRoleFactory(
        member=contact.member,
        circle=ended_seat_circle,
        started_on=datetime.date(2024, 1, 1),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(contact.user)

    answer = discourse_reads(client.get(URL, discourse_request()[0]))

    assert groups(answer["add_groups"]) == {"user-members"}
    assert groups(answer["remove_groups"]) == {
        "operational-members",
        "circle-tech",
        "circle-outreach",
    }


@pytest.mark.django_db
def test_a_replayed_nonce_is_refused(client):
    _member, user = voting_member()
    client.force_login(user)
    params, nonce = discourse_request()
    assert client.get(URL, params).status_code == 302

    again = client.get(URL, params)

    assert again.status_code == 403
    assert "already used" in again.content.decode()
    assert DiscourseNonce.objects.filter(nonce=nonce).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("alteration", ["payload", "signature", "secret"])
def test_an_altered_payload_is_refused(client, alteration):
    _member, user = voting_member()
    client.force_login(user)
    params, _nonce = discourse_request(
        secret="another-secret" if alteration == "secret" else SECRET
    )
    if alteration == "payload":
        forged = urlencode({"nonce": "n" * 32, "return_sso_url": f"{FORUM}/session/sso_login"})
        params["sso"] = base64.b64encode(forged.encode()).decode()
    elif alteration == "signature":
        params["sig"] = params["sig"][:-1] + ("0" if params["sig"][-1] != "0" else "1")

    response = client.get(URL, params)

    assert response.status_code == 403
    assert "Location" not in response
    assert not DiscourseNonce.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "return_sso_url",
    [
        "https://evil.example.org/session/sso_login",
        "https://forum.example.org.evil.example/session/sso_login",
        "http://forum.example.org/session/sso_login",
        "//evil.example.org/",
        "",
    ],
)
def test_a_foreign_return_url_is_refused_even_when_signed(client, return_sso_url):
    _member, user = voting_member()
    client.force_login(user)
    params, _nonce = discourse_request(return_sso_url=return_sso_url)

    response = client.get(URL, params)

    assert response.status_code == 403
    assert "Location" not in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("return_sso_url", "query", "fragment"),
    [
        (f"{FORUM}/session/sso_login", {}, ""),
        (f"{FORUM}/session/sso_login?lang=ca", {"lang": ["ca"]}, ""),
        (f"{FORUM}/session/sso_login#top", {}, "top"),
        (f"{FORUM}/session/sso_login?lang=ca#a?b", {"lang": ["ca"]}, "a?b"),
    ],
)
def test_the_answer_joins_the_return_addresss_query_before_its_fragment(
    client, return_sso_url, query, fragment
):
    """The signed answer is read from the query: after a #fragment a browser never sends it."""
    _member, user = voting_member()
    client.force_login(user)
    params, nonce = discourse_request(return_sso_url=return_sso_url)

    location = urlsplit(client.get(URL, params)["Location"])

    sent = parse_qs(location.query)
    assert {key: sent[key] for key in query} == query
    assert set(sent) == {*query, "sso", "sig"}
    assert location.fragment == fragment
    sso, sig = sent["sso"][0], sent["sig"][0]
    assert hmac.compare_digest(
        hmac.new(SECRET.encode(), sso.encode(), hashlib.sha256).hexdigest(), sig
    )
    assert parse_qs(base64.b64decode(sso).decode())["nonce"] == [nonce]


@pytest.mark.django_db
def test_garbage_is_a_bad_request_not_an_error(client):
    _member, user = voting_member()
    client.force_login(user)
    sso = "not base64 at all!"
    sig = hmac.new(SECRET.encode(), sso.encode(), hashlib.sha256).hexdigest()

    assert client.get(URL, {"sso": sso, "sig": sig}).status_code == 400
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"sso": "", "sig": "é"}).status_code == 403


@pytest.mark.django_db
def test_the_forum_is_off_without_its_url_or_secret(client, settings):
    _member, user = voting_member()
    client.force_login(user)
    params, _nonce = discourse_request()
    settings.DISCOURSE_CONNECT_SECRET = ""
    assert client.get(URL, params).status_code == 404
    settings.DISCOURSE_CONNECT_SECRET = SECRET
    settings.DISCOURSE_URL = ""
    assert client.get(URL, params).status_code == 404


@pytest.mark.django_db
def test_signing_in_first_then_coming_back(client):
    _member, user = voting_member()
    params, nonce = discourse_request()

    response = client.get(URL, params)

    assert response.status_code == 302
    login = reverse("account_login")
    assert response["Location"].startswith(login)
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert next_url.startswith(URL)
    client.force_login(user)
    assert discourse_reads(client.get(next_url))["nonce"] == nonce


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["lapsed", "pending", "suspended"])
def test_a_person_with_no_active_membership_is_told_why(client, status):
    _member, user = voting_member(membership_type="user", status=status)
    user.language = "es"
    user.save()
    client.force_login(user)

    response = client.get(URL, discourse_request()[0])

    assert response.status_code == 403
    assert "Location" not in response
    assert not ForumAccount.objects.exists()
    assert not DiscourseNonce.objects.exists()
    page = html.unescape(response.content.decode())
    assert "<h1" in page
    with translation.override("es"):
        told = gettext(
            "The forum is for the co-op's members: none of the memberships you act for "
            "is active. Your membership page says why and what to do next."
        )
    assert told in page


@pytest.mark.django_db
def test_an_unverified_address_asks_discourse_to_verify_it(client):
    _member, user = voting_member()
    user.emailaddress_set.update(verified=False)
    client.force_login(user)

    answer = discourse_reads(client.get(URL, discourse_request()[0]))

    assert answer["require_activation"] == "true"


@pytest.mark.django_db
def test_old_nonces_are_forgotten_after_a_day(client):
    _member, user = voting_member()
    DiscourseNonce.objects.create(
        nonce="old", user=user, used_at=timezone.now() - datetime.timedelta(days=2)
    )
    client.force_login(user)

    assert client.get(URL, discourse_request()[0]).status_code == 302

    assert not DiscourseNonce.objects.filter(nonce="old").exists()


@pytest.mark.django_db
def test_the_answer_takes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    member, user = voting_member()
    for _ in range(5):
        CircleRoleFactory(member=member)
    client.force_login(user)
    client.get(URL, discourse_request()[0])
    with django_assert_max_num_queries(20):
        assert client.get(URL, discourse_request()[0]).status_code == 302
