"""Every shipped language is complete: each string of the code and templates has a reviewed
(not fuzzy) translation with the same placeholders, and the compiled .mo is what the .po says.
``manage.py catalogues check`` prints the same report."""

import io
import re

import pytest
from babel.messages.mofile import write_mo
from django.conf import settings
from django.utils import translation

from meetcoop.core import catalogues


@pytest.fixture(scope="module")
def template():
    return catalogues.extract()


@pytest.mark.parametrize("language", catalogues.shipped_languages())
def test_the_catalogue_is_complete(language, template):
    report = catalogues.check(language, template)
    problems = {
        "missing (run `make messages-update`)": report.missing,
        "untranslated": report.untranslated,
        "fuzzy (review, then remove the fuzzy flag)": report.fuzzy,
        "obsolete (run `make messages-update`)": report.obsolete,
        "placeholders": report.errors,
    }
    found = {name: items[:20] for name, items in problems.items() if items}
    assert not found, f"{language}: {report.percent:.1f} % translated; {found}"
    assert report.percent == 100.0


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sdif]|%[sdif]|%%", text))


@pytest.mark.parametrize("language", catalogues.shipped_languages())
def test_each_translation_keeps_the_placeholders_and_markup(language):
    """Babel's own check reads only python-format entries; this one reads every entry, and
    the HTML tags too (a link lost in translation is a page that no longer links)."""
    bad = []
    for message in catalogues.read(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if not string:
                continue  # untranslated: test_the_catalogue_is_complete says so
            if set(_placeholders(string)) != set(_placeholders(ids[-1])) and set(
                _placeholders(string)
            ) != set(_placeholders(ids[0])):
                bad.append((ids[0], string))
            if sorted(re.findall(r"</?\w+", string)) != sorted(re.findall(r"</?\w+", ids[0])):
                bad.append((ids[0], string))
    assert not bad, bad[:10]


@pytest.mark.parametrize("language", catalogues.shipped_languages())
def test_the_compiled_catalogue_matches_its_source(language):
    buffer = io.BytesIO()
    write_mo(buffer, catalogues.read(language), use_fuzzy=False)
    assert catalogues.mo_path(language).read_bytes() == buffer.getvalue()


def test_every_shipped_language_has_a_catalogue_and_only_those_are_listed():
    on_disk = {path.parent.name for path in catalogues.locale_dir().glob("*/LC_MESSAGES")}
    listed = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    assert on_disk == listed


@pytest.mark.parametrize("language", catalogues.shipped_languages())
def test_the_site_speaks_the_language(language):
    with translation.override(language):
        assert translation.gettext("Sign out") != "Sign out"
        assert translation.gettext("My membership") != "My membership"


def test_the_template_extractor_reads_django_tags(tmp_path):
    source = (
        "{% load i18n %}<p>{% translate 'One' %}</p>\n"
        "  <a>{% blocktranslate with n=x %}Two {{ n }}{% endblocktranslate %}</a>\n"
        "{% blocktranslate count c=n %}{{ c }} thing{% plural %}{{ c }} things"
        "{% endblocktranslate %}\n"
        "{% translate 'May' context 'month' %}"
    )
    found = list(
        catalogues.extract_django_template(io.BytesIO(source.encode()), catalogues.KEYWORDS, [], {})
    )
    messages = [m[2][:2] if isinstance(m[2], tuple) else m[2] for m in found]
    assert "One" in messages
    assert "Two %(n)s" in messages
    assert ("%(c)s thing", "%(c)s things") in messages
    assert ("month", "May") in messages
