"""What one application costs the server (measured by bench/http_bench.py): no session is made
for the thank-you page, and the successful submission reads and writes a fixed set of rows."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from resellers.models import Application
from resellers.views import THANKS_COOKIE
from tests.resellers.test_apply import apply_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_a_submission_makes_no_session_and_the_thank_you_page_still_finds_it(
    client, setup, small, terms
):
    response = client.post(apply_url(setup), form_data(terms, service_level=str(small.pk)))
    assert response.status_code == 302
    assert Session.objects.count() == 0
    assert response.cookies[THANKS_COOKIE]["httponly"]

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert Application.objects.get().email in thanks.content.decode()


def test_the_thank_you_page_trusts_only_its_own_signature(client, setup, small, terms):
    client.post(apply_url(setup), form_data(terms, service_level=str(small.pk)))
    pk = Application.objects.get().pk
    client.cookies[THANKS_COOKIE] = str(pk)  # unsigned: anyone could write any number
    response = client.get(reverse("resellers:thanks", args=[setup.slug]))
    assert response.status_code == 302
    assert response["Location"] == apply_url(setup)


def test_a_successful_submission_reads_and_writes_a_fixed_set_of_rows(
    client, setup, small, terms, django_assert_max_num_queries
):
    client.post(
        apply_url(setup), form_data(terms, email="first@example.org", service_level=str(small.pk))
    )
    # + 4 since issue 14: whether the steward takes applications (policy, its member's
    # operational membership, quarters, reports).
    with django_assert_max_num_queries(18):
        response = client.post(apply_url(setup), form_data(terms, service_level=str(small.pk)))
    assert response.status_code == 302
