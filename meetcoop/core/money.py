"""Money is a Decimal amount plus a three-letter currency. Rounding happens here only.

The currencies the co-op takes are a setting (``ALLOWED_CURRENCIES``, from the environment):
every currency menu offers those and every currency field accepts only those. The system check
``current_currencies_check`` refuses a code that is not a current ISO 4217 currency.
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.core import get_global
from babel.numbers import format_currency, get_currency_name, get_territory_currencies
from django import forms
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MONEY_FIELD = {"max_digits": 12, "decimal_places": 2}


def round_money(value: Decimal) -> Decimal:
    """Round to cents, half up (pretix ``round_decimal``)."""
    if not isinstance(value, Decimal):
        raise TypeError("Money must be a Decimal, never a float.")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@functools.cache
def current_iso_currencies(on: datetime.date | None = None) -> frozenset[str]:
    """The ISO 4217 codes that are legal tender somewhere on ``on`` (today by default), from
    the CLDR data babel ships: obsolete codes (DEM, HRK, VEF) and funds or metals (XAU) are
    not among them."""
    on = on or datetime.date.today()  # noqa: DTZ011 (a calendar day; CLDR dates have no zone)
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, start_date=on, tender=True)
    )


def allowed_currencies() -> list[str]:
    """The currencies the co-op takes, in the order of the ``ALLOWED_CURRENCIES`` setting."""
    return list(settings.ALLOWED_CURRENCIES)


def validate_currency(code: str):
    if code not in allowed_currencies():
        raise ValidationError(
            _("%(code)s is not one of the currencies the co-op takes (%(allowed)s)."),
            params={"code": code, "allowed": ", ".join(allowed_currencies())},
            code="currency",
        )


def currency_name(code: str, locale: str | None = None) -> str:
    locale = (locale or get_language() or "en").replace("-", "_")
    try:
        return get_currency_name(code, locale=locale)
    except Exception:  # an unknown locale: the code says it
        return code


def currency_choices():
    """(code, "EUR – Euro") for each allowed currency, named in the reader's language."""
    return [(code, f"{code} – {currency_name(code)}") for code in allowed_currencies()]


@checks.register(checks.Tags.compatibility)
def current_currencies_check(app_configs=None, **kwargs):
    """Each code in ``ALLOWED_CURRENCIES`` must be a current ISO 4217 currency."""
    codes = list(getattr(settings, "ALLOWED_CURRENCIES", []))
    errors = []
    if not codes:
        errors.append(
            checks.Error("ALLOWED_CURRENCIES is empty.", id="core.E010", obj="ALLOWED_CURRENCIES")
        )
    current = current_iso_currencies()
    for code in codes:
        if code not in current:
            errors.append(
                checks.Error(
                    f"{code!r} in ALLOWED_CURRENCIES is not a current ISO 4217 currency code.",
                    hint="Use three capital letters of a currency in use today, e.g. EUR.",
                    id="core.E011",
                    obj="ALLOWED_CURRENCIES",
                )
            )
    return errors


class CurrencyField(models.CharField):
    """A three-letter ISO 4217 currency code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("verbose_name", _("currency"))
        super().__init__(*args, **kwargs)
        self.validators.append(validate_currency)

    def formfield(self, **kwargs):
        """A menu of the allowed currencies (with an empty choice when the field may be
        blank), read when the form is built: the model keeps no choices, so changing the
        setting needs no migration. A text input (the admin's default for character fields)
        is replaced by the menu."""
        widget = kwargs.pop("widget", None)
        widget_class = widget if isinstance(widget, type) else type(widget)
        if widget is not None and issubclass(widget_class, forms.Select):
            kwargs["widget"] = widget

        def choices():
            return [("", "---------"), *currency_choices()] if self.blank else currency_choices()

        defaults = {
            "form_class": forms.TypedChoiceField,
            "choices": choices,
            "coerce": str,
            "empty_value": "",
        }
        return models.Field.formfield(self, **{**defaults, **kwargs})

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money must be a Decimal, never a float.")

    def __str__(self):
        return format_money(self.amount, self.currency)


def format_money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    locale = (locale or get_language() or "en").replace("-", "_")
    try:
        return format_currency(amount, currency, locale=locale)
    except Exception:  # an unknown locale: fall back to a plain form
        return f"{amount} {currency}"
