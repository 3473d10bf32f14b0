"""Currencies: only the ones the co-op takes (ALLOWED_CURRENCIES), each a current ISO code."""

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from contributions.models import LedgerEntry
from meetcoop.core.money import (
    currency_choices,
    current_currencies_check,
    current_iso_currencies,
    validate_currency,
)
from membership.models import ServiceLevel


def test_the_default_setting_is_the_five_currencies_in_menu_order(settings):
    assert settings.ALLOWED_CURRENCIES == ["EUR", "CAD", "USD", "GBP", "CHF"]
    assert [code for code, _label in currency_choices()] == ["EUR", "CAD", "USD", "GBP", "CHF"]


def test_choices_name_each_currency_in_the_readers_language(settings):
    settings.ALLOWED_CURRENCIES = ["EUR", "CAD"]
    assert currency_choices() == [("EUR", "EUR – Euro"), ("CAD", "CAD – Canadian Dollar")]


def test_only_allowed_codes_validate(settings):
    settings.ALLOWED_CURRENCIES = ["EUR", "CHF"]
    validate_currency("CHF")
    for code in ["USD", "JPY", "DEM", "XYZ", "eur"]:
        with pytest.raises(ValidationError):
            validate_currency(code)


def test_the_menus_of_currency_fields_offer_only_the_allowed_codes(settings):
    settings.ALLOWED_CURRENCIES = ["EUR", "GBP"]
    required = modelform_factory(ServiceLevel, fields=["currency"])()
    assert [c for c, _l in required.fields["currency"].choices] == ["EUR", "GBP"]
    optional = modelform_factory(LedgerEntry, fields=["currency"])()
    assert [c for c, _l in optional.fields["currency"].choices] == ["", "EUR", "GBP"]
    bound = modelform_factory(ServiceLevel, fields=["currency"])({"currency": "USD"})
    assert "currency" in bound.errors


@pytest.mark.django_db
def test_the_admin_shows_a_menu_not_a_text_box(client, coop_admin, settings):
    settings.ALLOWED_CURRENCIES = ["EUR", "CAD"]
    client.force_login(coop_admin)
    html = client.get("/admin/membership/servicelevel/add/").content.decode()
    assert '<select name="currency"' in html
    assert '<option value="CAD">' in html
    assert 'value="DEM"' not in html and 'value="JPY"' not in html


def test_current_codes_leave_out_obsolete_ones():
    current = current_iso_currencies()
    assert {"EUR", "CAD", "USD", "GBP", "CHF", "JPY"} <= current
    assert not {"DEM", "HRK", "VEF", "XEU", "XAU"} & current
    assert 100 < len(current) < 200  # about 150 in use today, not the ~300 ever defined


def test_the_check_accepts_the_default(settings):
    assert current_currencies_check() == []


@pytest.mark.parametrize("codes", [["EUR", "DEM"], ["EUR", "XYZ"], ["EUR", "HRK"], []])
def test_the_check_refuses_an_obsolete_unknown_or_empty_setting(settings, codes):
    settings.ALLOWED_CURRENCIES = codes
    errors = current_currencies_check()
    assert errors and all(e.id in {"core.E010", "core.E011"} for e in errors)
