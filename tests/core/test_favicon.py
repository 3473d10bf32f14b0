"""A favicon: linked from every page, and /favicon.ico answers instead of a 404."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve static files as runserver does
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert client.head("/favicon.ico").status_code == 302
    icon = client.get("/favicon.ico", follow=True)
    assert icon.status_code == 200
    content = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_icons_are_static_files():
    assert finders.find("favicon.ico")
    svg = finders.find("favicon.svg")
    assert svg and Path(svg).read_text().startswith("<svg")


def test_every_page_links_the_icon(client):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in html
