"""Whole translatable sentences: no possessive glued to a name ("Maple Rooms's"); the public
form shows the organisation's name only to organisations, with no inline script."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PolicyFactory, StewardFactory

ROOT = Path(settings.BASE_DIR)
SOURCES = ["templates", "meetcoop", "membership", "governance", "resellers", "contributions",
           "standing"]  # fmt: skip
# A variable followed by 's: {{ name }}'s, %(name)s's, {name}'s, in any quote style.
GLUED = re.compile(r"(\}\}|%\(\w+\)s|\{\w+\})\s*['’]s\b")


def _files(*suffixes):
    for source in SOURCES:
        for path in (ROOT / source).rglob("*"):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path


def test_no_possessive_is_glued_to_a_variable():
    glued = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _files(".html", ".txt", ".py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if GLUED.search(line)
    ]
    assert glued == []


def test_no_inline_script_in_any_template():
    inline = [
        str(path.relative_to(ROOT))
        for path in _files(".html")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", path.read_text(encoding="utf-8"))
    ]
    assert inline == []


@pytest.mark.django_db
def test_the_organisation_name_is_marked_for_organisations_only(client):
    PolicyFactory()
    StewardFactory(slug="maple-rooms", name="Maple Rooms", operational=True)
    html = client.get(reverse("resellers:apply", args=["maple-rooms"])).content.decode()
    # Shown without JavaScript, labelled for whom it is; static/js/apply.js hides it for a person.
    wrapper = html.index('<div data-for-kind="organisation" id="organisation-name">')
    assert wrapper < html.index('name="organisation_name"') < html.index('name="email"')
    assert "Organisation name (only for an organisation)" in html
    assert "static/js/apply.js" in html
    assert "<script>" not in html
    assert (ROOT / "static" / "js" / "apply.js").read_text().count("data-for-kind") >= 1


@pytest.mark.django_db
def test_the_thank_you_page_names_the_steward_in_a_whole_sentence(client):
    from resellers.services.applications import Receipt
    from resellers.views import THANKS_COOKIE, THANKS_COOKIE_SALT
    from tests.factories import ApplicationFactory

    steward = StewardFactory(slug="maple-rooms", name="Maple Rooms", operational=True)
    application = ApplicationFactory(steward=steward)
    receipt = Receipt(
        steward=steward,
        type=application.type,
        service_level=application.service_level,
        status=application.status,
        email=application.email,
    )
    response = client.get("/")
    response.set_signed_cookie(THANKS_COOKIE, receipt.dumps(), salt=THANKS_COOKIE_SALT)
    client.cookies[THANKS_COOKIE] = response.cookies[THANKS_COOKIE].value
    html = client.get(reverse("resellers:thanks", args=["maple-rooms"])).content.decode()
    assert "Maple Rooms&#x27;s" not in html and "Maple Rooms's" not in html
    assert "The admins of Maple Rooms decide on your application" in html
