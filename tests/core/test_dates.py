"""One date format per language across the site: the language's own medium format."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from meetcoop.core.dates import date_medium, datetime_medium

DAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Dec 3, 2026"), ("fr", "3 déc. 2026"), ("de", "03.12.2026"), ("es", "3 dic 2026")],
)
def test_a_date_reads_in_the_languages_medium_format(language, expected):
    with translation.override(language):
        assert date_medium(DAY) == expected
        assert Template("{% load dates %}{{ d|date_medium }}").render(Context({"d": DAY})) == (
            expected
        )


def test_an_ambiguous_numeric_date_is_never_shown():
    # 12 October 2025 must not read as "12/10/2025" (12 October or 10 December?).
    with translation.override("en"):
        assert date_medium(datetime.date(2025, 10, 12)) == "Oct 12, 2025"
    with translation.override("fr"):
        assert date_medium("2025-10-12") == "12 oct. 2025"


def test_datetimes_show_the_medium_date_and_the_short_time():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 3, 14, 30), datetime.UTC)
    with translation.override("en"):
        assert datetime_medium(moment) == "Dec 3, 2026, 2:30\u202fPM"
    with translation.override("de"):
        assert datetime_medium(moment) == "03.12.2026, 14:30"


def test_empty_and_odd_values_do_not_fail():
    assert date_medium(None) == ""
    assert date_medium("") == ""
    assert date_medium("not a date") == "not a date"
    assert datetime_medium(None) == ""
    assert datetime_medium(DAY) == date_medium(DAY)
