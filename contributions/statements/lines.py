"""What a statement parser returns, and the helpers both parsers share."""

import collections
import dataclasses
import datetime
import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal

from meetcoop.core.banking import compact_rf, is_valid_rf

MAX_BYTES = 5 * 1024 * 1024  # a month of a busy account in CAMT is well under 1 MB
_LARGEST = Decimal("9999999999.99")  # what an amount column holds (12 digits, 2 decimals)


def money_amount(value: Decimal) -> Decimal | None:
    """``value`` in cents, or None when no amount column could hold it."""
    if not value.is_finite() or abs(value) > _LARGEST:
        return None
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return value


@dataclasses.dataclass
class ParsedLine:
    position: int
    entry_key: str
    booked_on: datetime.date
    amount: Decimal  # positive; ``is_credit`` says which way
    currency: str
    is_credit: bool
    counterparty: str = ""
    remittance: str = ""
    reference: str = ""


@dataclasses.dataclass
class ParsedStatement:
    format: str
    statement_id: str
    iban: str
    lines: list[ParsedLine]


def entry_hash(*, booked_on, amount, name: str, remittance: str, occurrence: int) -> str:
    """An entry's key when the bank gives none: its date, signed amount, name and text, and
    which of the file's identical entries it is (the first, the second…)."""
    raw = f"{booked_on}|{amount}|{name}|{remittance}|{occurrence}"
    return "h:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


class Fingerprints:
    """The keys of one file's entries that have no bank identifier. Not their place in the
    file: a weekly and a monthly statement hold the same entry at different places, and it
    must be known as the entry already imported. Two identical entries of one file (the same
    day, amount, name and text) stay two: the first and the second."""

    def __init__(self):
        self._seen = collections.Counter()

    def key(self, *, booked_on, amount, name: str, remittance: str) -> str:
        basis = (booked_on, amount, name, remittance)
        self._seen[basis] += 1
        return entry_hash(
            booked_on=booked_on,
            amount=amount,
            name=name,
            remittance=remittance,
            occurrence=self._seen[basis],
        )


# The longest entry key a bank line stores (``BankLine.entry_key``).
ENTRY_KEY_MAX = 120


def fitted_key(key: str) -> str:
    """``key`` as stored: a longer one keeps its start and ends with a hash of the whole, so
    that two keys sharing their first 120 characters (the transfers ``…/1`` and ``…/2`` of a
    batch with a long reference) stay two lines, and the same key always fits the same way."""
    if len(key) <= ENTRY_KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:39]
    return f"{key[: ENTRY_KEY_MAX - 40]}~{digest}"


_RF_START = re.compile(r"RF\s?\d{2}", re.IGNORECASE)
_SPACE = re.compile(r"\s")
# What is searched: the remittance a line keeps, and after each "RF" what a reference of at
# most 25 characters written in groups (and the word it may run into) can span. Unbounded, a
# cell of "RF12 RF12 …" read the rest of the text once per "RF": minutes for a 50 kB cell.
_SEARCHED = 2000
_WINDOW = 80
# Letters as ISO 7064 reads them (A=10 … Z=35), for a quick check before ``is_valid_rf``.
_BASE10 = str.maketrans({chr(ord("A") + n): str(10 + n) for n in range(26)})


def _may_be_rf(compact: str) -> bool:
    """False when ``compact`` (letters and digits) is surely no RF reference: its length, its
    start or its check digits (mod 97) say so. Cheap; ``is_valid_rf`` has the last word. A
    file of "RF12 RF12 …" asks this some thousands of times a row."""
    compact = compact.upper()
    if not (5 <= len(compact) <= 25 and compact.startswith("RF") and compact.isascii()):
        return False
    return int((compact[4:] + compact[:4]).translate(_BASE10)) % 97 == 1


def find_rf(text: str) -> str:
    """The first valid ISO 11649 reference written in ``text`` (with or without spaces),
    compacted; "" when there is none."""
    text = (text or "")[:_SEARCHED]
    for match in _RF_START.finditer(text):
        space = _SPACE.search(text, match.start() + _WINDOW)  # never cut a word in two
        tokens = text[match.start() : space.start() if space else len(text)].split()
        compact = ""
        best = ""
        for token in tokens:
            token = re.sub(r"[^0-9A-Za-z]", "", token)
            if not token:
                break
            compact += token
            if len(compact) > 25:
                # The reference may run on into the next word without a space.
                for end in range(25, 4, -1):
                    if _may_be_rf(compact[:end]) and is_valid_rf(compact[:end]):
                        best = best or compact_rf(compact[:end])
                        break
                break
            if _may_be_rf(compact) and is_valid_rf(compact):
                best = compact_rf(compact)
        if best:
            return best
    return ""
