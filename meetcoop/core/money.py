"""Money is a Decimal amount plus a three-letter currency. Rounding happens here only."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, list_currencies
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


def iso_currencies() -> set[str]:
    return set(list_currencies())


def validate_currency(code: str):
    if code not in iso_currencies():
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code."), params={"code": code}, code="currency"
        )


def currency_choices():
    return [(code, code) for code in sorted(iso_currencies())]


class CurrencyField(models.CharField):
    """A three-letter ISO 4217 currency code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("verbose_name", _("currency"))
        super().__init__(*args, **kwargs)
        self.validators.append(validate_currency)

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
