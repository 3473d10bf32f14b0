"""The first entry to the forum is asked for: the signed request goes on only from the
question's form (a POST under the CSRF check), so another site can't open a forum account
for a signed-in member by embedding the sign-in address (an image, a frame)."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from standing.models import DiscourseNonce, ForumAccount
from tests.factories import voting_member
from tests.standing.test_discourse_connect import FORUM, SECRET, URL, discourse_reads
from tests.standing.test_discourse_connect import discourse_request as signed_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def forum(settings):
    settings.DISCOURSE_URL = FORUM
    settings.DISCOURSE_CONNECT_SECRET = SECRET
    settings.DISCOURSE_API_KEY = ""


@pytest.fixture
def member():
    _member, user = voting_member()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client, user


def form_fields(page) -> dict:
    text = page.content.decode()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', text))
    return {name: html.unescape(value) for name, value in fields.items()}


def test_the_first_entry_is_asked_and_nothing_is_spent_or_opened_until_then(member):
    client, user = member
    params, nonce = signed_request()
    page = client.get(URL, params)
    assert page.status_code == 200
    assert "Enter the co-op's forum?" in page.content.decode()
    # An embedded image or frame gets this page: no account, the nonce still unspent.
    assert not ForumAccount.objects.filter(user=user).exists()
    assert not DiscourseNonce.objects.filter(nonce=nonce).exists()
    # The page's form may send the browser on to the forum (its CSP names it).
    assert FORUM in page["Content-Security-Policy"].split("form-action")[1].split(";")[0]
    fields = form_fields(page)
    assert fields["sso"] == params["sso"] and fields["sig"] == params["sig"]
    answer = discourse_reads(client.post(URL, fields))
    assert answer["nonce"] == nonce
    assert ForumAccount.objects.filter(user=user).exists()


def test_the_question_is_not_answered_from_another_site(member):
    client, user = member
    params, _nonce = signed_request()
    assert client.post(URL, params).status_code == 403  # no CSRF token: not our page's form
    assert not ForumAccount.objects.filter(user=user).exists()


def test_after_the_first_entry_the_forum_signs_in_without_asking(member):
    client, user = member
    fields = form_fields(client.get(URL, signed_request()[0]))
    assert client.post(URL, fields).status_code == 302
    params, nonce = signed_request()
    assert discourse_reads(client.get(URL, params))["nonce"] == nonce


def test_signing_in_on_the_way_comes_back_to_the_question(db):
    _member, user = voting_member()
    client = Client()
    params, _nonce = signed_request()
    response = client.get(URL, params)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(user)
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    page = client.get(next_url)
    assert page.status_code == 200 and "Enter the forum" in page.content.decode()


def test_a_person_who_may_not_enter_is_told_why_before_any_question(db):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    response = client.get(URL, signed_request()[0])
    assert response.status_code == 403
