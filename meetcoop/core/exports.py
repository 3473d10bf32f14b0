"""Helpers for the CSV exports."""

import csv
from decimal import Decimal, InvalidOperation


def csv_cell(value) -> str:
    """A cell as text, with text a spreadsheet would run as a formula made inert (a leading
    apostrophe). Numbers, negative ones included, stay numbers."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except (InvalidOperation, ValueError):
        return False
    return True


class _Echo:
    """A file that hands back what is written to it, for ``csv.writer`` to stream through."""

    def write(self, value):
        return value


def csv_lines(header, rows):
    """The lines of a CSV file, one at a time (for a ``StreamingHttpResponse`` or a
    command's output): ``header``, then each of ``rows`` (lists of cells, already made safe
    with ``csv_cell`` where they hold text people typed)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)
