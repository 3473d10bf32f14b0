"""Reading bank statements: CAMT.053 (ISO 20022 XML, with defusedxml) and a bank's CSV export
read through its remembered mapping. Pure functions over the file's bytes: no database.

A file that can't be read raises ``DomainError`` with a message for the treasurer."""

import hashlib

from django.utils.translation import gettext as _

from meetcoop.core.errors import DomainError

from .camt import looks_like_xml, parse_camt
from .csvfile import parse_csv
from .lines import MAX_BYTES, ParsedLine, ParsedStatement, entry_hash, find_rf

__all__ = [
    "MAX_BYTES",
    "ParsedLine",
    "ParsedStatement",
    "detect_format",
    "entry_hash",
    "file_sha256",
    "find_rf",
    "parse_statement",
]


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_format(data: bytes) -> str:
    """ "camt" for an XML file, else "csv"."""
    return "camt" if looks_like_xml(data) else "csv"


def parse_statement(data: bytes, *, fmt: str = "", mapping=None) -> ParsedStatement:
    """The statement in ``data``; ``fmt`` "camt" or "csv" (detected when empty); a CSV is read
    with ``mapping`` (a ``BankCsvMapping`` or anything with its fields)."""
    if not data:
        raise DomainError(_("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(size)s MB; split the statement into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    fmt = fmt or detect_format(data)
    if fmt == "camt":
        return parse_camt(data)
    if mapping is None:
        raise DomainError(
            _("Choose the mapping of your bank's CSV, or define one, to read this file."),
            field="mapping",
        )
    return parse_csv(data, mapping)
