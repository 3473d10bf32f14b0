"""A login's address is stored in the spelling mail delivery reads (``email_canonical``), so
a spelling that reaches the same mailbox (a soft hyphen or a full-width letter in the domain,
needless quotes) is not a second login for that mailbox."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from meetcoop.users.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SOFT_HYPHEN = "nuria@exam\u00adple.org"
FULL_WIDTH = "nuria@\uff45xample.org"


@pytest.mark.parametrize("spelling", [SOFT_HYPHEN, FULL_WIDTH, '"nuria"@Example.org'])
def test_a_user_made_with_another_spelling_gets_the_mailboxs_address(spelling):
    user = User.objects.create_user(spelling, password=PASSWORD)
    assert user.email == "nuria@example.org"


@pytest.mark.parametrize("spelling", [SOFT_HYPHEN, FULL_WIDTH])
def test_sign_up_with_another_spelling_of_a_taken_address_makes_no_second_login(
    client, settings, spelling
):
    settings.ACCOUNT_ALLOW_SIGNUP = True
    UserFactory(email="nuria@example.org")
    client.post(
        reverse("account_signup"),
        {"email": spelling, "password1": "A-long-password-99", "password2": "A-long-password-99"},
    )
    assert User.objects.filter(email__iexact="nuria@example.org").count() == 1
    assert not User.objects.exclude(email__iexact="nuria@example.org").exists()


def test_another_spelling_of_a_taken_address_is_the_taken_address_when_added(client):
    # As for the address itself: allauth keeps it unverified on the other login, and since
    # the owner's address is verified, confirming it there is refused (ACCOUNT_UNIQUE_EMAIL).
    nuria = UserFactory(email="nuria@example.org")
    EmailAddress.objects.update_or_create(
        user=nuria, email=nuria.email, defaults={"verified": True}
    )
    other = UserFactory(email="pau@example.org")
    client.force_login(other)
    client.post(reverse("account_email"), {"email": SOFT_HYPHEN, "action_add": ""})
    assert not EmailAddress.objects.filter(email=SOFT_HYPHEN).exists()
    added = EmailAddress.objects.get(user=other, email="nuria@example.org")
    assert not added.verified and not added.can_set_verified()


def test_an_ordinary_address_added_to_a_login_is_kept_as_typed_in_lower_case(client):
    other = UserFactory(email="pau@example.org")
    client.force_login(other)
    client.post(reverse("account_email"), {"email": "Pau.Work@Example.org", "action_add": ""})
    assert EmailAddress.objects.filter(user=other, email="pau.work@example.org").exists()


@pytest.mark.parametrize("spelling", ["NURIA@example.org", SOFT_HYPHEN])
def test_the_admin_refuses_a_second_login_for_a_mailbox(admin_client, spelling):
    UserFactory(email="nuria@example.org")
    response = admin_client.post(
        reverse("admin:users_user_add"),
        {"email": spelling, "password1": "A-long-password-99", "password2": "A-long-password-99"},
    )
    assert response.status_code == 200
    assert "A login with this email address already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="nuria@example.org").count() == 1
    assert User.objects.count() == 2  # nuria and the admin


def test_the_admin_adds_a_login_in_the_mailboxs_spelling(admin_client):
    admin_client.post(
        reverse("admin:users_user_add"),
        {"email": FULL_WIDTH, "password1": "A-long-password-99", "password2": "A-long-password-99"},
    )
    assert User.objects.filter(email="nuria@example.org").exists()
