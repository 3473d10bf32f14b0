"""Audit of the provider (SSO audit): a login that may no longer sign in here (deactivated
in the admin) gets nothing more from a service's tokens, and a changed or reset password
ends the tokens services hold for the person (a stolen refresh token dies with the old
password)."""

import re

import pytest
from django.urls import reverse
from oauth2_provider.models import AccessToken, RefreshToken

from standing.oidc.selectors import service_access, users_refused
from standing.oidc.services import service_register
from tests.factories import (
    CoopStewardFactory,
    MemberContactFactory,
    MembershipFactory,
    StewardFactory,
    UserFactory,
)
from tests.standing.test_oidc_provider import CALLBACK, VERIFIER, authorize_url, code_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

PASSWORD = "An-old-long-password-1"


@pytest.fixture
def admin():
    CoopStewardFactory()
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def steward():
    return StewardFactory()


@pytest.fixture
def registered(steward, admin):
    return service_register(steward=steward, name="Rooms", redirect_uris=[CALLBACK], actor=admin)


@pytest.fixture
def user(steward):
    contact = MemberContactFactory()
    MembershipFactory(member=contact.member, steward=steward)
    contact.user.set_password(PASSWORD)
    contact.user.save()
    return contact.user


def _code(client, registered, user):
    client.force_login(user)
    page = client.get(authorize_url(registered.service.application)).content.decode()
    form = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page))
    form.pop("csrfmiddlewaretoken", None)
    form["allow"] = "on"
    code, _query = code_of(client.post("/o/authorize/", form))
    assert code
    return code


def _token(client, registered, **fields):
    return client.post(
        "/o/token/",
        {
            "client_id": registered.service.application.client_id,
            "client_secret": registered.client_secret,
            **fields,
        },
    )


def _exchange(client, registered, code):
    return _token(
        client,
        registered,
        grant_type="authorization_code",
        code=code,
        redirect_uri=CALLBACK,
        code_verifier=VERIFIER,
    )


def _deactivate(user):
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()


def test_a_deactivated_login_no_longer_refreshes(client, registered, user):
    tokens = _exchange(client, registered, _code(client, registered, user)).json()
    _deactivate(user)
    again = _token(
        client, registered, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_login_deactivated_between_the_code_and_its_exchange_gets_no_token(
    client, registered, user
):
    code = _code(client, registered, user)
    _deactivate(user)
    answer = _exchange(client, registered, code)
    assert answer.status_code == 400
    assert not AccessToken.objects.filter(user=user).exists()


def test_a_deactivated_logins_access_token_reads_nothing(client, registered, user):
    tokens = _exchange(client, registered, _code(client, registered, user)).json()
    _deactivate(user)
    userinfo = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert userinfo.status_code == 401


def test_the_rule_and_the_revocation_agree_on_a_deactivated_login(registered, user):
    service = registered.service
    assert service_access(user, service).allowed
    _deactivate(user)
    assert not service_access(user, service).allowed
    assert users_refused([(user.pk, service)]) == {(user.pk, service.pk)}


def test_changing_the_password_ends_the_services_tokens(client, registered, user):
    tokens = _exchange(client, registered, _code(client, registered, user)).json()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "A-new-long-password-7",
            "password2": "A-new-long-password-7",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert not RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
    assert not AccessToken.objects.filter(user=user).exists()
    again = _token(
        client, registered, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert again.status_code == 400
    # A new sign-in works at once.
    user.refresh_from_db()
    assert _exchange(client, registered, _code(client, registered, user)).status_code == 200


def test_resetting_the_password_ends_the_services_tokens(client, registered, user):
    from django.core import mail

    _exchange(client, registered, _code(client, registered, user))
    client.logout()
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = next(
        line.strip() for line in mail.outbox[0].body.splitlines() if "password/reset/key/" in line
    )
    path = link[link.index("/accounts/") :]
    page = client.get(path, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    done = client.post(
        form_url, {"password1": "A-new-long-password-7", "password2": "A-new-long-password-7"}
    )
    assert done.status_code == 302
    assert not RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
    assert not AccessToken.objects.filter(user=user).exists()


def test_another_persons_password_change_leaves_my_tokens(client, registered, user, steward):
    _exchange(client, registered, _code(client, registered, user))
    other = MemberContactFactory().user
    other.set_password(PASSWORD)
    other.save()
    client.force_login(other)
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "A-new-long-password-7",
            "password2": "A-new-long-password-7",
        },
    )
    assert RefreshToken.objects.filter(user=user, revoked__isnull=True).count() == 1


def _live(user):
    return RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()


def test_a_password_set_in_the_admin_ends_the_services_tokens(client, registered, user, admin):
    _exchange(client, registered, _code(client, registered, user))
    assert _live(user)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "A-new-long-password-7", "password2": "A-new-long-password-7"},
    )
    assert response.status_code == 302, response.content[:800]
    assert not _live(user)
    assert not AccessToken.objects.filter(user=user).exists()


def test_a_login_deactivated_by_a_save_loses_its_services_tokens(client, registered, user):
    _exchange(client, registered, _code(client, registered, user))
    user.refresh_from_db()
    user.is_active = False
    user.save()
    assert not _live(user)
    assert not AccessToken.objects.filter(user=user).exists()


def test_a_password_set_in_code_ends_the_services_tokens(client, registered, user):
    """``manage.py changepassword`` and any other code: set_password, then save."""
    _exchange(client, registered, _code(client, registered, user))
    user.refresh_from_db()
    user.set_password("A-new-long-password-7")
    user.save(update_fields=["password"])
    assert not _live(user)


def test_signing_in_or_renaming_keeps_the_services_tokens(client, registered, user):
    _exchange(client, registered, _code(client, registered, user))
    user.refresh_from_db()
    user.first_name = "Renamed"
    user.save()
    client.logout()
    assert client.login(email=user.email, password=PASSWORD) or client.login(
        username=user.get_username(), password=PASSWORD
    )
    assert _live(user)


def test_a_login_saved_in_a_transaction_rolled_back_keeps_its_tokens(client, registered, user):
    from django.db import transaction

    _exchange(client, registered, _code(client, registered, user))
    user.refresh_from_db()
    with pytest.raises(RuntimeError), transaction.atomic():
        user.set_password("A-new-long-password-7")
        user.save()
        raise RuntimeError
    assert _live(user)
