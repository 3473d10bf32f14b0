"""Audit of ``prompt=none`` (OpenID Connect's silent sign-in): it was a 500, signed in or out,
django-oauth-toolkit leaving the check unimplemented. A service that asks nobody first (the
co-op's own) signs a signed-in member in silently; any other is answered ``consent_required``;
someone signed out is answered ``login_required``; never a page."""

import pytest

from standing.models import ServiceSignIn
from tests.factories import CoopStewardFactory, UserFactory
from tests.standing.test_oidc_provider import (
    CALLBACK,
    authorize_url,
    code_of,
    member_of,
    register,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


@pytest.fixture
def coop():
    return CoopStewardFactory()


@pytest.fixture
def admin(coop):
    return UserFactory(is_superuser=True, is_staff=True)


def test_a_stewards_service_is_answered_consent_required(client, coop, admin):
    registered = register(coop, admin)
    user, _membership = member_of(coop)
    client.force_login(user)
    code, query = code_of(client.get(authorize_url(registered.service.application, prompt="none")))
    assert code is None
    assert query["error"] == ["consent_required"]
    assert query["state"] == ["xyz"]
    assert not ServiceSignIn.objects.exists()


def test_the_coops_own_service_signs_a_member_in_silently(client, coop, admin):
    registered = register(coop, admin, own_service=True)
    user, _membership = member_of(coop)
    client.force_login(user)
    code, _query = code_of(client.get(authorize_url(registered.service.application, prompt="none")))
    assert code
    assert ServiceSignIn.objects.filter(user=user).count() == 1


def test_a_refused_member_still_sees_why(client, coop, admin):
    registered = register(coop, admin, own_service=True)
    user, _membership = member_of(coop, status="lapsed")
    client.force_login(user)
    response = client.get(authorize_url(registered.service.application, prompt="none"))
    assert response.status_code == 403


@pytest.mark.parametrize("own", [True, False])
def test_someone_signed_out_is_answered_login_required_not_the_sign_in_page(
    client, coop, admin, own
):
    registered = register(coop, admin, own_service=own)
    response = client.get(authorize_url(registered.service.application, prompt="none"))
    code, query = code_of(response)
    assert response["Location"].startswith(CALLBACK)
    assert code is None
    assert query["error"] == ["login_required"]
    assert query["state"] == ["xyz"]
    assert query["iss"] == ["http://testserver/o"]


def test_signed_out_without_prompt_none_is_sent_to_sign_in(client, coop, admin):
    registered = register(coop, admin)
    response = client.get(authorize_url(registered.service.application))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_signed_out_with_a_foreign_redirect_uri_is_never_sent_there(client, coop, admin):
    registered = register(coop, admin, own_service=True)
    response = client.get(
        authorize_url(
            registered.service.application,
            redirect_uri="https://evil.example/cb",
            prompt="none",
        )
    )
    assert response.status_code == 400
    assert "evil" not in response.get("Location", "")


def test_a_stewards_service_asks_every_time_even_with_approval_prompt_auto(client, coop, admin):
    """DOT's ``approval_prompt=auto`` would skip the consent page while the person holds a
    live token of the service; a steward's service asks every time."""
    import datetime

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    registered = register(coop, admin)
    application = registered.service.application
    user, _membership = member_of(coop)
    AccessToken.objects.create(
        user=user,
        application=application,
        token="live-token-of-the-service",
        scope="openid profile email",
        expires=timezone.now() + datetime.timedelta(minutes=5),
    )
    client.force_login(user)
    page = client.get(authorize_url(application, approval_prompt="auto"))
    assert page.status_code == 200
    assert 'name="allow"' in page.content.decode()
    assert not ServiceSignIn.objects.exists()
