"""The admin's "view on site" redirect (``/admin/r/<content type>/<id>/``) is a page of the
admin like any other: it answers only for a row the person may see in this admin, and never
a 500.

Django's own view (``contenttypes.views.shortcut``) checks nothing but ``is_staff``: a
steward's admin could ask it about any row of any model, and for an OAuth client (whose
``get_absolute_url`` names a page the site does not serve) it failed with a 500."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from oauth2_provider.models import get_application_model

from tests.factories import StewardAdminFactory, StewardFactory, UserFactory

pytestmark = pytest.mark.django_db

HUGE = str(10**30)


@pytest.fixture
def oauth_client():
    return get_application_model().objects.create(
        name="Rooms",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris="https://rooms.example/callback",
    )


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_view_on_site_of_an_oauth_client_is_not_a_500_for_a_coop_admin(oauth_client):
    content_type = ContentType.objects.get_for_model(oauth_client)
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/r/{content_type.pk}/{oauth_client.pk}/")
    assert response.status_code == 404


def test_a_steward_admin_learns_nothing_of_a_row_outside_its_admin(oauth_client):
    content_type = ContentType.objects.get_for_model(oauth_client)
    client = _client(StewardAdminFactory(stewards=[StewardFactory()]))
    response = client.get(f"/admin/r/{content_type.pk}/{oauth_client.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/admin/r/abc/1/",
        f"/admin/r/{HUGE}/1/",
        "/admin/r/1/abc/",
        f"/admin/r/1/{HUGE}/",
        "/admin/r/-1/-1/",
    ],
)
def test_view_on_site_with_odd_ids_is_a_404(path):
    client = _client(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(path).status_code == 404


def test_view_on_site_still_sends_anonymous_people_to_sign_in(oauth_client):
    content_type = ContentType.objects.get_for_model(oauth_client)
    response = Client().get(f"/admin/r/{content_type.pk}/{oauth_client.pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
