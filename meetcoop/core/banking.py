"""Bank details and payment references, checked with kept libraries: IBAN and BIC with
schwifty, the ISO 11649 structured creditor reference ("RF" reference) with python-stdnum.

An RF reference is ``RF`` + two check digits + a body of up to 21 letters and digits; the
bank keeps it from the payer to the payee, so a statement line carries it back and the
payment is matched to its invoice without anyone typing it (issue 15)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import iso11649
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_97_10


def compact_iban(value: str) -> str:
    return "".join((value or "").split()).upper()


def validate_iban(value: str) -> None:
    if not value:
        return
    try:
        IBAN(compact_iban(value))
    except SchwiftyException:
        raise ValidationError(
            _("This is not a valid IBAN: check the country code, the length and each digit."),
            code="invalid_iban",
        ) from None


def validate_bic(value: str) -> None:
    if not value:
        return
    try:
        BIC(compact_iban(value))
    except SchwiftyException:
        raise ValidationError(
            _("This is not a valid BIC: it has 8 or 11 letters and digits."), code="invalid_bic"
        ) from None


def format_iban(value: str) -> str:
    """``DE89 3704 0044 0532 0130 00``: in groups of four, as printed on paper."""
    try:
        return IBAN(compact_iban(value)).formatted
    except SchwiftyException:
        return value


def rf_reference(body: str) -> str:
    """The ISO 11649 creditor reference for ``body`` (letters and digits, at most 21)."""
    body = "".join(body.split()).upper()
    if not body.isalnum() or len(body) > 21:
        raise ValueError(f"an RF reference body has at most 21 letters and digits: {body!r}")
    return "RF" + mod_97_10.calc_check_digits(body + "RF") + body


def compact_rf(value: str) -> str:
    return "".join((value or "").split()).upper()


def is_valid_rf(value: str) -> bool:
    try:
        iso11649.validate(compact_rf(value))
    except StdnumError:
        return False
    return True


def format_rf(value: str) -> str:
    """``RF18 D000 0012 3202 6010 1``: in groups of four, as a member types it."""
    return iso11649.format(compact_rf(value))
