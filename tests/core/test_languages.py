"""The right language for each person: a signed-in person's own choice for every page, a
visitor's in a cookie, a steward's form in the languages that steward serves in."""

import pytest
from django.conf import settings
from django.urls import reverse

from membership.models import Member
from tests.factories import (
    MemberContactFactory,
    MemberFactory,
    StewardFactory,
    StewardOfferFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def switch(client, language, next_url="/"):
    return client.post(reverse("membership:language_set"), {"language": language, "next": next_url})


def test_only_complete_languages_are_offered():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "ca", "es", "fr", "de"]


def test_a_visitors_choice_is_kept_in_the_language_cookie(client):
    response = switch(client, "fr", "/apply/")
    assert response.status_code == 302 and response["Location"] == "/apply/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get("/")
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()


def test_the_switcher_is_on_every_page_with_each_language_in_its_own_name(client):
    html = client.get("/").content.decode()
    assert 'action="/language/"' in html
    for code, name in [("ca", "català"), ("es", "español"), ("fr", "français"), ("de", "Deutsch")]:
        assert f'<option value="{code}" lang="{code}"' in html
        assert name in html


def test_a_signed_in_persons_choice_wins_over_the_browser_and_is_kept_with_the_login(client):
    user = UserFactory(language="de")
    client.force_login(user)
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "de"
    switch(client, "ca", "/me/")
    user.refresh_from_db()
    assert user.language == "ca"
    # A new browser (no cookie), a French one: the person's own language still wins.
    client.cookies.clear()
    client.force_login(user)
    assert client.get("/me/", HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "ca"


def test_a_persons_choice_is_also_the_language_the_coop_writes_to_their_membership(client):
    user = UserFactory(language="en")
    person = MemberFactory(kind=Member.Kind.PERSON, language="en")
    organisation = MemberFactory(
        kind=Member.Kind.ORGANISATION, organisation_name="Ateneu", language="en"
    )
    MemberContactFactory(member=person, user=user)
    MemberContactFactory(member=organisation, user=user)
    client.force_login(user)
    switch(client, "es")
    person.refresh_from_db()
    organisation.refresh_from_db()
    assert person.language == "es"
    assert organisation.language == "en"  # the organisation's own setting, in the admin


def test_a_language_the_site_does_not_ship_changes_nothing(client):
    user = UserFactory(language="en")
    client.force_login(user)
    response = switch(client, "it")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    switch(client, "\u200bxx")
    user.refresh_from_db()
    assert user.language == "en"


def test_the_switcher_never_sends_a_visitor_to_another_site(client):
    response = switch(client, "de", "https://evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.fixture
def barcelona(db):
    from tests.factories import PolicyFactory, ServiceLevelFactory

    PolicyFactory()
    steward = StewardFactory(slug="bcn", name="Comuns", languages=["ca", "es"], operational=True)
    StewardOfferFactory(steward=steward, service_level=ServiceLevelFactory())
    return steward


def test_a_stewards_form_is_in_a_language_it_serves(client, barcelona):
    url = reverse("resellers:apply", args=[barcelona.slug])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "ca"  # its first language, not English
    html = english.content.decode()
    # The form offers only the steward's languages, the page's first.
    assert '<option value="ca" selected>' in html
    assert '<option value="es">' in html
    assert '<option value="en">' not in html
    assert 'href="?lang=es"' in html
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"
    assert client.get(url + "?lang=es")["Content-Language"] == "es"
    assert client.get(url + "?lang=de")["Content-Language"] == "ca"  # not one it serves
