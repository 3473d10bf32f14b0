"""The project's translation catalogues, kept with Babel alone: no GNU gettext is needed to
extract, update, check or compile them, so a fresh machine with only Python builds the
``.mo`` files (``make run`` and ``make test`` call ``manage.py catalogues compile``).

One catalogue per language, ``locale/<lang>/LC_MESSAGES/django.po``, holds every string of the
project's Python code and templates (pages and emails). Django's own strings and those of the
libraries (allauth, django-countries) come from their packages' catalogues. The JavaScript in
``static/js`` carries no words of its own: the page gives it any text it shows.

Templates are read with Django's own ``templatize`` (what ``makemessages`` uses), whose output
Babel's Python extractor reads, so ``{% translate %}``, ``{% blocktranslate %}`` with its
placeholders, plurals and contexts are extracted as Django would.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings

DOMAIN = "django"
PROJECT = "Meet.coop membership"
# Where the project's own strings live, relative to BASE_DIR.
SOURCE_DIRS = ["meetcoop", "membership", "governance", "resellers", "contributions", "standing"]
TEMPLATE_DIRS = ["templates"]
IGNORED_DIRS = ("migrations", "__pycache__", "static")

# Django's translation functions, in Babel's keyword notation: argument positions of the
# singular, the plural and the context ("c").
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ["Translators"]
# Plural rules as gettext and Django's own catalogues write them (CLDR's newer "many" forms
# of Catalan and Spanish would ask translators for a third form no string of ours needs).
PLURALS = {"fr": (2, "(n > 1)"), "pt": (2, "(n > 1)")}
DEFAULT_PLURALS = (2, "(n != 1)")


def extract_django_template(fileobj, keywords, comment_tags, options) -> Iterator:
    """A Babel extractor for Django templates (pages ``.html`` and emails ``.txt``)."""
    from django.utils.translation.template import templatize

    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    python = templatize(source, origin=getattr(fileobj, "name", None))
    # Each line's indent is blanked-out markup, meaningless to Python's tokenizer: drop it.
    python = "\n".join(line.lstrip() for line in python.split("\n"))
    yield from extract_python(io.BytesIO(python.encode("utf-8")), keywords, comment_tags, {})


def base_dir() -> Path:
    return Path(settings.BASE_DIR)


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def po_path(language: str) -> Path:
    return locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def shipped_languages() -> list[str]:
    """Every language of ``LANGUAGES`` except the source language: each must have a complete
    catalogue."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _skip(path: str) -> bool:
    return any(part in IGNORED_DIRS for part in Path(path).parts)


def extract() -> Catalog:
    """Every translatable string of the project's code and templates, with where it is used."""
    catalog = Catalog(project=PROJECT, charset="utf-8", fuzzy=False)
    root = base_dir()
    python_map = [("**.py", "python")]
    template_map = [("**.html", "django"), ("**.txt", "django")]
    methods = {"django": extract_django_template}

    def collect(directory: str, method_map):
        def callback(filename, method, options):
            return None

        dirname = root / directory
        for filename, lineno, message, comments, context in extract_from_dir(
            str(dirname),
            method_map=[(pattern, methods.get(name, name)) for pattern, name in method_map],
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            callback=callback,
            strip_comment_tags=True,
        ):
            path = f"{directory}/{filename}"
            if _skip(path):
                continue
            catalog.add(
                message,
                None,
                [(path, lineno)],
                auto_comments=comments,
                context=context,
            )

    for directory in SOURCE_DIRS:
        collect(directory, python_map + template_map)
    for directory in TEMPLATE_DIRS:
        collect(directory, template_map)
    return catalog


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=99, sort_output=True, ignore_obsolete=True)
    data = buffer.getvalue()
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def update(language: str, template: Catalog | None = None) -> Catalog:
    """Bring ``language``'s catalogue in line with the code: new strings are added empty,
    strings no longer used are dropped, changed ones come back marked fuzzy for review. A new
    language gets a new, empty catalogue."""
    template = template or extract()
    path = po_path(language)
    if path.exists():
        catalog = read(language)
    else:
        catalog = Catalog(locale=language, domain=DOMAIN, project=PROJECT, fuzzy=False)
        catalog._num_plurals, catalog._plural_expr = PLURALS.get(language, DEFAULT_PLURALS)
        catalog.copyright_holder = PROJECT
        catalog.msgid_bugs_address = ""
        catalog.last_translator = ""
        catalog.language_team = ""
    catalog.update(template, update_header_comment=False)
    write(catalog, path)
    return catalog


def compile_catalogue(language: str) -> Path:
    """Write ``language``'s ``.mo`` from its ``.po`` (fuzzy entries are left out, as gettext
    does), only when it changed."""
    catalog = read(language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    target = mo_path(language)
    data = buffer.getvalue()
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)
    return target


@dataclass
class Report:
    language: str
    total: int = 0
    missing: list[str] = field(default_factory=list)  # in the code, not in the catalogue
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    obsolete: list[str] = field(default_factory=list)  # in the catalogue, not in the code
    errors: list[str] = field(default_factory=list)  # placeholders that do not match

    @property
    def complete(self) -> bool:
        return not (self.missing or self.untranslated or self.fuzzy or self.obsolete or self.errors)

    @property
    def percent(self) -> float:
        done = self.total - len(self.missing) - len(self.untranslated) - len(self.fuzzy)
        return 100.0 * done / self.total if self.total else 100.0


def _key(message) -> tuple:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return (message.context or "", msgid)


def _label(message) -> str:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return f"{message.context}|{msgid}" if message.context else msgid


def check(language: str, template: Catalog | None = None) -> Report:
    """How complete ``language``'s catalogue is against the code."""
    template = template or extract()
    report = Report(language=language)
    wanted = {_key(m): m for m in template if m.id}
    report.total = len(wanted)
    if not po_path(language).exists():
        report.missing = sorted(_label(m) for m in wanted.values())
        return report
    catalog = read(language)
    have = {_key(m): m for m in catalog if m.id}
    for key, message in wanted.items():
        found = have.get(key)
        if found is None:
            report.missing.append(_label(message))
            continue
        strings = found.string if isinstance(found.string, (list, tuple)) else [found.string]
        if not all(strings):
            report.untranslated.append(_label(message))
        elif found.fuzzy:
            report.fuzzy.append(_label(message))
    report.obsolete = sorted(_label(m) for key, m in have.items() if key not in wanted)
    for message, errors in catalog.check():
        report.errors.extend(f"{_label(message)}: {error}" for error in errors)
    return report
