"""Sign-in with email, verification, password reset without enumeration, sign-up switch."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from meetcoop.users.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password(client):
    user = UserFactory(email="ada@example.org")
    response = client.post(
        reverse("account_login"), {"login": "ada@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_signed_in_message_is_in_the_persons_language_not_the_browsers(client):
    UserFactory(email="ada@example.org", language="ca")
    response = client.post(
        reverse("account_login"),
        {"login": "ada@example.org", "password": PASSWORD},
        headers={"accept-language": "en"},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Heu iniciat sessió exitosament com a ada@example.org."]


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="ada@example.org")
    response = client.post(reverse("account_login"), {"login": "ada@example.org", "password": "x"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_an_unverified_email_cannot_sign_in_and_gets_a_verification_mail(client):
    UserFactory(email="new@example.org", verified=False)
    response = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def _reset(client, email):
    mail.outbox.clear()
    response = client.post(reverse("account_reset_password"), {"email": email}, follow=True)
    return response


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client):
    UserFactory(email="known@example.org")
    known = _reset(client, "known@example.org")
    known_mail = list(mail.outbox)
    unknown = _reset(client, "nobody@example.org")
    unknown_mail = list(mail.outbox)

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert [t.name for t in known.templates][:1] == [t.name for t in unknown.templates][:1]
    # The same page, but for the header's CSRF token (masked anew on every page).
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    # The known address gets a reset link; the unknown one is told no account exists, by
    # email only, so the page itself reveals nothing.
    assert "password/reset/key/" in known_mail[0].body
    assert "password/reset/key/" not in "".join(m.body for m in unknown_mail)


def test_password_reset_link_sets_a_new_password(client):
    user = UserFactory(email="known@example.org")
    _reset(client, "known@example.org")
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
    user.refresh_from_db()
    assert user.check_password("A-new-long-password-7")


def test_sign_up_is_closed_by_default(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert b"closed" in response.content.lower()
    client.post(
        reverse("account_signup"),
        {"email": "x@example.org", "password1": "Long-pass-123", "password2": "Long-pass-123"},
    )
    assert not User.objects.filter(email="x@example.org").exists()


def test_sign_up_opens_with_the_setting(client, settings):
    settings.ACCOUNT_ALLOW_SIGNUP = True
    response = client.post(
        reverse("account_signup"),
        {
            "email": "open@example.org",
            "password1": "A-long-password-99",
            "password2": "A-long-password-99",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="open@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox and mail.outbox[0].to == ["open@example.org"]


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_non_staff_user_is_refused_the_admin(client):
    client.force_login(UserFactory())
    assert client.get("/admin/login/").status_code == 403


def test_sign_in_page_offers_sign_up_only_when_open(client, settings):
    closed = client.get(reverse("account_login"))
    assert reverse("account_signup").encode() not in closed.content
    settings.ACCOUNT_ALLOW_SIGNUP = True
    opened = client.get(reverse("account_login"))
    assert reverse("account_signup").encode() in opened.content
