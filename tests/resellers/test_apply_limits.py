"""The application form's rate limit behind a reverse proxy (each client counted by its own
address), and its answer: a small, cheap page that says to wait and that nothing was lost."""

import pytest
from django.core.cache import cache

from resellers.models import Application
from tests.resellers.test_apply import apply_url, form_data

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ALICE = "198.51.100.1"
BOB = "198.51.100.2"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.RESELLERS_APPLY_RATE = "2/h"


def send(client, steward, terms, small, email, xff):
    data = form_data(terms, email=email, service_level=str(small.pk))
    return client.post(apply_url(steward), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


def test_one_client_over_the_limit_does_not_block_another_behind_the_same_proxy(
    client, setup, small, terms, behind_one_proxy
):
    for i in range(2):
        assert send(client, setup, terms, small, f"alice{i}@example.org", ALICE).status_code == 302
    assert send(client, setup, terms, small, "alice2@example.org", ALICE).status_code == 429

    assert send(client, setup, terms, small, "bob@example.org", BOB).status_code == 302
    assert set(Application.objects.values_list("email", flat=True)) == {
        "alice0@example.org",
        "alice1@example.org",
        "bob@example.org",
    }


def test_a_forged_forwarded_for_does_not_escape_the_limit(
    client, setup, small, terms, behind_one_proxy
):
    for i in range(2):
        send(client, setup, terms, small, f"alice{i}@example.org", ALICE)
    # Alice writes another address herself; the proxy appends the one she connects from.
    for forged in (BOB, "203.0.113.9", "127.0.0.1"):
        response = send(client, setup, terms, small, "alice9@example.org", f"{forged}, {ALICE}")
        assert response.status_code == 429
    assert not Application.objects.filter(email="alice9@example.org").exists()


def test_with_no_proxy_trusted_the_header_counts_for_nothing(client, setup, small, terms, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.RESELLERS_APPLY_RATE = "2/h"
    for i in range(2):
        send(client, setup, terms, small, f"a{i}@example.org", f"198.51.100.{i + 10}")
    # A new X-Forwarded-For does not make a new client: REMOTE_ADDR counts.
    assert send(client, setup, terms, small, "b@example.org", BOB).status_code == 429


def test_the_limited_answer_reads_nothing_of_the_form(
    client, setup, small, terms, settings, django_assert_max_num_queries
):
    """The form's page reads the steward, its offers, the policy and the terms; the limited
    answer reads none of them (at most the visitor's session, for the page's header)."""
    settings.RESELLERS_APPLY_RATE = "1/h"
    assert send(client, setup, terms, small, "a@example.org", ALICE).status_code == 302

    with django_assert_max_num_queries(1):
        response = send(client, setup, terms, small, "b@example.org", ALICE)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many applications were sent from your network" in html
    assert "Nothing you typed is lost" in html
    assert "Back button" in html
    assert "Send my application" not in html  # not the form again
    assert 0 < int(response["Retry-After"]) <= 3600
    minutes = -(-int(response["Retry-After"]) // 60)
    assert ("again in a minute" if minutes == 1 else f"again in {minutes} minutes") in html
