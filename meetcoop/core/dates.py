"""Dates as people read them: one format per language across the site, the language's own
medium format ("Dec 3, 2026" in English, "3 déc. 2026" in French), made by Babel.

Templates use the ``date_medium`` and ``datetime_medium`` filters (``{% load dates %}``);
Python that words a date for people (reasons, errors) calls the functions here. Dates kept
for machines (audit data, CSV, JSON, stored reasons) stay ISO 8601.
"""

import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from django.conf import settings
from django.utils import timezone, translation


def _locale(language: str | None = None) -> Locale:
    code = language or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return Locale.parse(translation.to_locale(code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def _as_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return None


def date_medium(value, language: str | None = None) -> str:
    """``value`` (a date, a datetime, or an ISO date string) in the medium format of
    ``language`` (the active language by default). An empty value gives ""; a string that is
    not a date is returned as it is."""
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    return format_date(day, format="medium", locale=_locale(language))


def datetime_medium(value, language: str | None = None) -> str:
    """A datetime as the language writes it: its medium date and its short time, joined the
    way the language joins them ("Dec 3, 2026, 2:30 PM"), in the current time zone."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.datetime):
        return date_medium(value, language)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = _locale(language)
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.replace("{0}", format_time(value.time(), format="short", locale=locale)).replace(
        "{1}", format_date(value.date(), format="medium", locale=locale)
    )
