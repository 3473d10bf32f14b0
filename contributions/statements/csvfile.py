"""A bank's CSV export, read through the mapping defined once for that bank: a header row,
then one row per entry. A negative amount is money out."""

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from meetcoop.core.errors import DomainError

from .lines import (
    Fingerprints,
    ParsedLine,
    ParsedStatement,
    find_rf,
    fitted_key,
    money_amount,
)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # every byte is a character: never fails


def _amount(raw: str, decimal_separator: str) -> Decimal:
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace("'", "")
    thousands = "." if decimal_separator == "," else ","
    text = text.replace(thousands, "").replace(decimal_separator, ".")
    if text.endswith("-"):  # some banks write 12.50-
        text = "-" + text[:-1]
    value = money_amount(Decimal(text))
    if value is None:
        raise InvalidOperation
    return value


def parse_csv(data: bytes, mapping) -> ParsedStatement:
    if b"\x00" in data:
        raise DomainError(_("The file is not a text CSV file."), field="file")
    text = _decode(data)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter or ";")
    try:
        header = next(rows)
    except (StopIteration, csv.Error) as exc:
        raise DomainError(_("The file has no header row."), field="file") from exc
    columns = {name.strip().casefold(): i for i, name in enumerate(header)}

    def index(column: str, *, required: bool = True):
        if not column:
            return None
        found = columns.get(column.strip().casefold())
        if found is None and required:
            raise DomainError(
                _(
                    "The file has no column “%(column)s” of the mapping “%(mapping)s”; its "
                    "columns are: %(columns)s."
                )
                % {
                    "column": column,
                    "mapping": mapping.name,
                    "columns": ", ".join(h.strip() for h in header) or "-",
                },
                field="file",
            )
        return found

    date_i = index(mapping.date_column)
    amount_i = index(mapping.amount_column)
    name_i = index(mapping.name_column)
    reference_i = index(mapping.reference_column)
    currency_i = index(mapping.currency_column)
    entry_i = index(mapping.entry_id_column)
    lines = []
    fingerprints = Fingerprints()
    try:
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            lines.append(
                _row(
                    row,
                    number=number,
                    position=len(lines) + 1,
                    mapping=mapping,
                    fingerprints=fingerprints,
                    at=(date_i, amount_i, name_i, reference_i, currency_i, entry_i),
                )
            )
    except csv.Error as exc:
        raise DomainError(
            _("The file is not a CSV file the mapping can read: %(error)s.") % {"error": exc},
            field="file",
        ) from exc
    return ParsedStatement(format="csv", statement_id="", iban="", lines=lines)


def _row(row, *, number, position, mapping, fingerprints, at) -> ParsedLine:
    date_i, amount_i, name_i, reference_i, currency_i, entry_i = at

    def cell(i):
        if i is None:
            return ""
        if i >= len(row):
            raise DomainError(
                _("Row %(number)s has fewer columns than the header.") % {"number": number},
                field="file",
            )
        return row[i].strip()

    try:
        # A calendar day, no time of day: naive on purpose.
        booked_on = datetime.datetime.strptime(  # noqa: DTZ007
            cell(date_i), mapping.date_format
        ).date()
    except ValueError as exc:
        raise DomainError(
            _("Row %(number)s: “%(value)s” is not a date in the mapping's format %(format)s.")
            % {"number": number, "value": cell(date_i), "format": mapping.date_format},
            field="file",
        ) from exc
    try:
        amount = _amount(cell(amount_i), mapping.decimal_separator or ",")
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            _("Row %(number)s: “%(value)s” is not an amount.")
            % {"number": number, "value": cell(amount_i)},
            field="file",
        ) from exc
    if amount == 0:
        raise DomainError(
            _("Row %(number)s has an amount of zero.") % {"number": number}, field="file"
        )
    currency = (cell(currency_i) if currency_i is not None else mapping.currency).upper()
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise DomainError(
            _("Row %(number)s: “%(value)s” is not a currency code.")
            % {"number": number, "value": currency},
            field="file",
        )
    name = cell(name_i)
    remittance = cell(reference_i)
    key = cell(entry_i)
    if not key:
        key = fingerprints.key(booked_on=booked_on, amount=amount, name=name, remittance=remittance)
    return ParsedLine(
        position=position,
        entry_key=fitted_key(key),
        booked_on=booked_on,
        amount=abs(amount),
        currency=currency,
        is_credit=amount > 0,
        counterparty=name[:200],
        remittance=remittance[:2000],
        reference=find_rf(remittance)[:35],
    )
