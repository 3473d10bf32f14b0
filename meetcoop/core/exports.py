"""Helpers for the CSV exports."""

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
