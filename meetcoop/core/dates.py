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
from django.utils.translation import gettext as _

from .errors import DomainError


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


# --- days a person can mean ----------------------------------------------------------------

#: How far back or ahead of today a day typed by a person may be. Not a policy of the co-op: a
#: bound of sense, so that a slip ("0001-01-01", "9999-12-31" meant as "never") is refused on
#: its form, instead of stored and then added to (a grace period, the day after a seat's end)
#: past the last day a computer can count, which stopped every night's status run.
PLAUSIBLE_YEARS = 100


def day_over(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` (midnight of the next day, in the current time zone):
    what happened on ``day`` or before is ``< day_over(day)``, a comparison an index on a
    date-time column serves, where ``__date__lte`` would compute the day of every row."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def plausible_days(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last day a person may give, around ``today``."""
    today = today or timezone.localdate()
    if today.month == 2 and today.day == 29:
        today = today.replace(day=28)  # 29 February is not in every year
    return (
        today.replace(year=today.year - PLAUSIBLE_YEARS),
        today.replace(year=today.year + PLAUSIBLE_YEARS),
    )


def check_plausible(value, *, field: str | None = None, today: datetime.date | None = None):
    """Refuse (``DomainError`` on ``field``) a day, or a moment, outside ``plausible_days``,
    saying which days may be given. Returns ``value``."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    first, last = plausible_days(today)
    if day is not None and not first <= day <= last:
        raise DomainError(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": date_medium(first), "last": date_medium(last)},
            field=field,
            code="implausible_date",
        )
    return value
