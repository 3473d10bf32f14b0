"""The page the approval email links to says what it is ("Choose your password"), signs the
member in once the password is set, and its done page says so and links on."""

from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from resellers.services.emails import password_set_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "A-new-long-password-7"


@pytest.fixture
def invited():
    """A login made by an approval: no usable password yet, its address verified."""
    user = UserFactory(email="nuria@example.org")
    user.set_unusable_password()
    user.save()
    return user


def _open_link(client, user):
    path = urlsplit(password_set_url(user)).path
    page = client.get(path, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    return page, form_url


def test_the_page_says_choose_your_password(client, invited):
    page, _url = _open_link(client, invited)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Choose your password" in html
    assert "<h1>Choose your password</h1>" in html
    assert "Set my password" in html
    assert "Change Password" not in html
    assert 'class="site-header"' in html  # in the site's layout


def test_setting_it_signs_the_member_in(client, invited):
    _page, form_url = _open_link(client, invited)
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == invited.pk
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert "Your password is set." in [str(m) for m in get_messages(response.wsgi_request)]


def test_the_done_page_says_what_happened_and_links_to_sign_in(client):
    response = client.get(reverse("account_reset_password_from_key_done"))
    html = response.content.decode()
    assert "<h1>Your password is set</h1>" in html
    assert f'href="{reverse("account_login")}"' in html


def test_the_done_page_of_a_signed_in_member_links_to_their_page(client, invited):
    client.force_login(invited)
    response = client.get(reverse("account_reset_password_from_key_done"))
    assert reverse("standing:dashboard") in response.content.decode()


def test_a_used_link_says_so_and_offers_a_new_one(client, invited):
    _page, form_url = _open_link(client, invited)
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    again, _url = _open_link(client, invited)
    html = again.content.decode()
    assert "This link no longer works" in html
    assert reverse("account_reset_password") in html
