"""Text the co-op writes in the admin is entered per language and falls back to the default
(django-modeltranslation): steward descriptions, service levels, circles' purposes."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import (
    CircleFactory,
    PolicyFactory,
    ServiceLevelFactory,
    StewardFactory,
    StewardOfferFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(db):
    PolicyFactory()
    steward = StewardFactory(
        slug="bcn",
        name="Comuns",
        languages=["ca", "es"],
        description="Rooms for groups.",
        operational=True,
    )
    steward.description_ca = "Sales per a col·lectius."
    steward.save()
    level = ServiceLevelFactory(code="small", name="Small", description="One room.")
    level.name_ca = "Petita"
    level.save()
    StewardOfferFactory(steward=steward, service_level=level)
    return steward


def page(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url).content.decode()


def test_a_steward_and_its_levels_read_in_the_readers_language(client, steward):
    html = page(client, reverse("resellers:steward_list"), "ca")
    assert "Sales per a col·lectius." in html and "Rooms for groups." not in html
    assert "Petita" in html
    form = page(client, reverse("resellers:apply", args=[steward.slug]), "ca")
    assert "Sales per a col·lectius." in form and "Petita" in form


def test_an_untranslated_text_falls_back_to_the_default_language(client, steward):
    html = page(client, reverse("resellers:steward_list"), "es")
    assert "Rooms for groups." in html  # no Spanish description was written
    assert "Small" in html
    english = page(client, reverse("resellers:steward_list"), "en")
    assert "Rooms for groups." in english and "Sales per a col·lectius." not in english


def test_the_admin_forms_have_a_field_per_language(client, steward):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    circle = CircleFactory()
    for url, field in [
        (reverse("admin:resellers_steward_change", args=[steward.pk]), "description"),
        (reverse("admin:membership_servicelevel_change", args=[steward.levels.get().pk]), "name"),
        (reverse("admin:governance_circle_change", args=[circle.pk]), "purpose"),
    ]:
        html = client.get(url).content.decode()
        for code, _name in settings.LANGUAGES:
            assert f'name="{field}_{code}"' in html, (url, code)


def test_a_circle_added_in_the_admin_keeps_its_purpose_in_each_language(client):
    from governance.models import Circle

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:governance_circle_add"),
        {
            "name": "Tech",
            "slug": "tech",
            "purpose_en": "Runs the servers.",
            "purpose_de": "Betreibt die Server.",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    circle = Circle.objects.get(slug="tech")
    assert (circle.purpose_en, circle.purpose_de) == ("Runs the servers.", "Betreibt die Server.")
