"""No public page tells whether an email is known.

The application form answers an email with an open application at that steward, a member's
email and a login's email exactly as a new one: the same redirect, the same thank-you page
(a waiting list included), the same cookie; only the tokens differ. One open application per
email per steward still holds: the second is not taken and the address is told by email.
allauth's sign-in, sign-up and password reset are checked the same way.
"""

import re

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from resellers.models import Application
from resellers.views import THANKS_COOKIE
from tests.factories import (
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    UserFactory,
)
from tests.resellers.test_apply import apply_url, form_data

pytestmark = pytest.mark.django_db

EMAIL = "nuria@example.org"
TOKENS = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r"(csrftoken=)[^;]+"),
]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def without_tokens(text: str) -> str:
    for token in TOKENS:
        text = token.sub(r"\1…", text)
    return text


def answer(steward, terms, mailoutbox, capture, **overrides) -> dict:
    """Everything the sender of the form gets back, tokens aside, and what was mailed."""
    client = Client()
    mailoutbox.clear()
    with capture(execute=True):
        response = client.post(apply_url(steward), form_data(terms, **overrides))
    cookie = client.cookies.get(THANKS_COOKIE)
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "body": without_tokens(response.content.decode()),
        # The signed cookie's value, without its timestamp and signature.
        "cookie": signing.b64_decode(cookie.value.rsplit(":", 2)[0].encode()) if cookie else None,
        "page status": page.status_code,
        "page": without_tokens(page.content.decode()),
        "mailed to": sorted({address for message in mailoutbox for address in message.to}),
    }


@pytest.mark.parametrize(
    "known",
    ["an open application here", "a member's email", "a login's email", "a member elsewhere"],
)
@pytest.mark.parametrize("full", [False, True], ids=["room", "waiting list"])
def test_the_form_answers_a_known_email_as_it_answers_a_new_one(
    setup, small, terms, mailoutbox, django_capture_on_commit_callbacks, other_steward, known, full
):
    if full:
        MembershipFactory.create_batch(2, steward=setup, service_level=small)
    level = {"service_level": str(small.pk)}
    capture = django_capture_on_commit_callbacks

    new = answer(setup, terms, mailoutbox, capture, **level)  # the email is new here
    assert new["status"] == 302
    first = Application.objects.get(email=EMAIL)
    if known != "an open application here":
        first.status = "rejected"  # closed: the next one is not a duplicate
        first.save(update_fields=["status"])
        if known == "a member's email":
            MemberContactFactory(member__email=EMAIL, user__email=EMAIL)
        elif known == "a login's email":
            UserFactory(email=EMAIL)
        else:
            OperationalMembershipFactory(member__email=EMAIL)
    again = answer(setup, terms, mailoutbox, capture, **level)

    assert again == new
    if known == "an open application here":
        # One open application per email per steward: still one.
        assert Application.objects.filter(email=EMAIL).count() == 1
    expected = "You are on the waiting list" in new["page"]
    assert expected == full


def test_a_second_application_is_not_taken_and_its_address_is_told(
    setup, small, terms, mailoutbox, django_capture_on_commit_callbacks
):
    level = {"service_level": str(small.pk)}
    capture = django_capture_on_commit_callbacks
    answer(setup, terms, mailoutbox, capture, **level, language="en")
    answer(setup, terms, mailoutbox, capture, **level, name="Someone Else", language="en")
    assert Application.objects.get(email=EMAIL).name == "Núria Puig"  # the first, kept
    [notice] = mailoutbox
    assert notice.to == [EMAIL]
    assert "We kept that first one and did not take the new one" in notice.body.replace("\n", " ")
    assert "Someone Else" not in notice.body


# --- allauth's pages --------------------------------------------------------------------------


def _respond(path, data, **settings_kwargs):
    client = Client()
    response = client.post(path, data)
    shown = client.get(response["Location"]) if response.status_code == 302 else response
    return (
        response.status_code,
        response.get("Location"),
        shown.status_code,
        without_tokens(shown.content.decode()),
    )


def test_password_reset_answers_a_known_email_as_an_unknown_one(db):
    UserFactory(email="known@example.org")
    known = _respond("/accounts/password/reset/", {"email": "known@example.org"})
    unknown = _respond("/accounts/password/reset/", {"email": "other@example.org"})
    assert known[0] == 302
    assert known == unknown


def test_sign_in_answers_a_wrong_password_as_an_unknown_email(db):
    UserFactory(email="known@example.org")
    known = _respond("/accounts/login/", {"login": "known@example.org", "password": "wrong-1"})
    unknown = _respond("/accounts/login/", {"login": "other@example.org", "password": "wrong-1"})
    assert known[0] == 200
    assert known[3].replace("known@", "X@") == unknown[3].replace("other@", "X@")


@pytest.mark.parametrize("open_signup", [False, True])
def test_sign_up_answers_a_known_email_as_a_new_one(db, settings, open_signup):
    settings.ACCOUNT_ALLOW_SIGNUP = open_signup
    UserFactory(email="known@example.org")
    password = {"password1": "a-long-fresh-password-42", "password2": "a-long-fresh-password-42"}
    known = _respond("/accounts/signup/", {"email": "known@example.org", **password})
    unknown = _respond("/accounts/signup/", {"email": "other@example.org", **password})
    assert known[3].replace("known@", "X@") == unknown[3].replace("other@", "X@")
    assert known[:3] == unknown[:3]
    if open_signup:
        assert known[0] == 302  # to "we sent you an email", whichever it is


def test_the_address_is_told_of_second_applications_at_most_once_a_day(
    setup, small, terms, mailoutbox, django_capture_on_commit_callbacks
):
    """The duplicate notice's task run twice writes once, and the form sent again and again
    with someone's address writes to them once a day, not once a try."""
    import datetime

    from freezegun import freeze_time

    from resellers import tasks

    level = {"service_level": str(small.pk)}
    capture = django_capture_on_commit_callbacks
    told = []
    with freeze_time("2026-06-01 09:00") as clock:
        answer(setup, terms, mailoutbox, capture, **level, language="en")
        for _try in range(3):
            cache.clear()  # past the form's rate limit: the daily mark alone holds
            second = answer(setup, terms, mailoutbox, capture, **level, name="B", language="en")
            told.append(second["mailed to"])
        first = Application.objects.get(email=EMAIL)
        assert tasks.application_duplicate_notify(first.pk) is False  # the task run again
        assert told == [[EMAIL], [], []]
        clock.tick(datetime.timedelta(days=1))
        mailoutbox.clear()
        assert tasks.application_duplicate_notify(first.pk) is True
        assert [message.to for message in mailoutbox] == [[EMAIL]]
