"""Styled 400, 403, 404, 429 and 500 pages: the site's header and a way on, with DEBUG off;
the 500 page even when the database is down."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from meetcoop import urls as site_urls
from meetcoop.core import error_pages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = b'<header class="site-header">'


@pytest.fixture(autouse=True)
def _error_urls(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.error_urls"


@pytest.fixture
def quiet_client(client):
    client.raise_request_exception = False
    return client


def _has_ways_on(content: bytes):
    assert HEADER in content
    assert b'class="ways-on"' in content
    assert b'href="/"' in content  # home
    assert reverse("account_login").encode() in content


def test_the_handlers_are_wired():
    assert site_urls.handler400 == "meetcoop.core.error_pages.bad_request"
    assert site_urls.handler403 == "meetcoop.core.error_pages.permission_denied"
    assert site_urls.handler404 == "meetcoop.core.error_pages.page_not_found"
    assert site_urls.handler429 == "meetcoop.core.error_pages.too_many_requests"
    assert site_urls.handler500 == "meetcoop.core.error_pages.server_error"


def test_404_is_the_sites_page_with_a_way_on(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _has_ways_on(response.content)
    assert b"There is no page at this address" in response.content


def test_400_is_the_sites_page(client):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    _has_ways_on(response.content)
    assert b"could not be understood" in response.content


def test_403_says_why_and_offers_the_way_on(client):
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    _has_ways_on(response.content)
    assert b"Only treasurers record money and resources." in response.content


def test_403_for_a_signed_in_member_links_to_their_page(client):
    client.force_login(UserFactory())
    response = client.get(reverse("standing:report"))  # co-op admins only
    assert response.status_code == 403
    assert HEADER in response.content
    assert reverse("standing:dashboard").encode() in response.content
    assert b"does not give you access" in response.content


def test_back_link_only_to_a_page_of_this_site(client):
    here = client.get("/no-such-page/", HTTP_REFERER="http://testserver/governance/?page=2")
    assert b'href="/governance/?page=2"' in here.content
    elsewhere = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish")
    assert b"evil.example" not in elsewhere.content
    assert b"Back to the page you came from" not in elsewhere.content


def test_rate_limited_views_get_the_429_page(client):
    response = client.get("/test-errors/429/")
    assert response.status_code == 429
    _has_ways_on(response.content)
    assert b"Too many requests" in response.content


def test_allauth_rate_limits_answer_with_the_sites_429(rf):
    from allauth.core.internal.ratelimit import respond_429

    request = RequestFactory().get("/accounts/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    request.allauth = None
    response = respond_429(request)
    assert response.status_code == 429
    assert HEADER in response.content


def test_500_is_the_sites_page(quiet_client):
    response = quiet_client.get("/test-errors/500/")
    assert response.status_code == 500
    _has_ways_on(response.content)
    assert b"Something went wrong on our side" in response.content
    assert b"/static/css/site.css" in response.content


def test_500_renders_when_the_database_is_down(quiet_client, monkeypatch):
    def down(*args, **kwargs):
        raise connection.Database.OperationalError("the database is down")

    monkeypatch.setattr(connection, "cursor", down)
    response = quiet_client.get("/test-errors/db/")
    assert response.status_code == 500
    _has_ways_on(response.content)


def test_500_handler_needs_no_request_context_and_no_query(django_assert_num_queries):
    request = RequestFactory().get("/anything/")  # no user, no session, no messages
    with django_assert_num_queries(0):
        response = error_pages.server_error(request)
    assert response.status_code == 500
    _has_ways_on(response.content)


def test_500_falls_back_to_plain_html_if_its_template_fails(monkeypatch):
    def broken(name):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(error_pages.loader, "get_template", broken)
    response = error_pages.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_an_expired_form_gets_the_sites_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "x"})
    assert response.status_code == 403
    _has_ways_on(response.content)
    assert b"The form had expired" in response.content
