"""Audit of ``prompt=none`` (OpenID Connect's silent sign-in): it was a 500, django-oauth-toolkit
leaving the check unimplemented. A service that asks nobody first (the co-op's own) signs a
signed-in member in silently; any other is answered ``consent_required``, never a page."""

import pytest

from standing.models import ServiceSignIn
from tests.factories import CoopStewardFactory, UserFactory
from tests.standing.test_oidc_provider import authorize_url, code_of, member_of, register

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
