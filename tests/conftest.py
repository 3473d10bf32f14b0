import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls a browser test
# makes around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_sessionstart(session):
    """The translations' .mo files, compiled from the .po catalogues with Babel (no GNU
    gettext), so a plain ``pytest`` reads every page in every language (``make test`` does the
    same first). Only a catalogue that changed is written."""
    from meetcoop.core import catalogues

    for language in catalogues.shipped_languages():
        if catalogues.po_path(language).exists():
            catalogues.compile_catalogue(language)


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a page a test client read in Catalan leaves
    Catalan active in the thread, and the next test would read in it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, the cached nightly schedule)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_kept_tables():
    """After a test that commits (``transaction=True``), Django empties every table with one
    TRUNCATE, which the append-only tables refuse on PostgreSQL unless the owner says so in
    the same transaction (``meetcoop.core.db.ALLOW_TRUNCATE_SETTING``): the flush says so.
    Nothing else in the suite does, so everything else meets the guard as production does."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    from meetcoop.core.db import ALLOW_TRUNCATE_SETTING

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return [f"SET LOCAL {ALLOW_TRUNCATE_SETTING} = on", *statements] if statements else []

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture
def policy(db):
    from tests.factories import PolicyFactory

    return PolicyFactory()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def coop_admin(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)
