"""Files to sheets: each sheet is one kind's rows, with the line each row is on as a
spreadsheet shows it (the header is line 1). XLSX workbooks are read with tablib; CSV with the
``csv`` module tablib itself uses, because tablib's CSV reader drops blank lines and the line
numbers in the errors would no longer match the file."""

import csv
import datetime
import io
import pathlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .columns import KINDS

MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: the file (and sheet), the line as a spreadsheet numbers it (the
    header is line 1; 0 for the file as a whole), the column (empty for the row), and why."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self):
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"
        )


@dataclass
class Sheet:
    kind: str
    label: str  # the file name, or "workbook.xlsx[members]"
    headers: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line, {column: text})


def _text(value) -> str:
    """A cell as text: dates in ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    return str(value).strip()


def _sheet(kind: str, label: str, rows) -> Sheet:
    """``rows``: an iterable of lists of cells, the header first."""
    iterator = iter(rows)
    header = next(iterator, None) or []
    headers = [_text(h).lower() for h in header]
    sheet = Sheet(kind=kind, label=label, headers=headers)
    append = sheet.rows.append
    width = len(headers)
    for line, cells in enumerate(iterator, start=2):
        if not any(c not in (None, "") for c in cells):
            continue  # a blank line
        if width and len(cells) > width and any(c not in (None, "") for c in cells[width:]):
            values = dict(zip(headers, map(_text, cells), strict=False))
            values["__extra__"] = "1"
        else:
            values = dict(zip(headers, map(_text, cells), strict=False))
        append((line, values))
    return sheet


def _kind_of(name: str) -> str | None:
    stem = pathlib.PurePath(name).stem.strip().lower()
    return stem if stem in KINDS else None


def read_files(files) -> tuple[list[Sheet], list[RowError]]:
    """``files``: (name, bytes) pairs. The sheets found, and what could not be read."""
    sheets: list[Sheet] = []
    errors: list[RowError] = []
    for name, data in files:
        suffix = pathlib.PurePath(name).suffix.lower()
        if len(data) > MAX_BYTES:
            errors.append(RowError(name, 0, "", _("The file is too large.")))
        elif suffix == ".csv":
            kind = _kind_of(name)
            if kind is None:
                errors.append(RowError(name, 0, "", _not_a_kind()))
                continue
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                errors.append(RowError(name, 0, "", _("The file is not UTF-8 text.")))
                continue
            if "\x00" in text:  # no database column takes it
                line = text.count("\n", 0, text.index("\x00")) + 1
                errors.append(
                    RowError(
                        name, line, "", _("This line holds a NUL character, which is not text.")
                    )
                )
                continue
            try:
                rows = list(csv.reader(io.StringIO(text, newline="")))
            except csv.Error as exc:
                errors.append(RowError(name, 0, "", _cant_read(exc)))
                continue
            sheets.append(_sheet(kind, name, rows))
        elif suffix == ".xlsx":
            sheets_of, error = _read_xlsx(name, data)
            if error:
                errors.append(error)
            sheets.extend(sheets_of)
        else:
            errors.append(RowError(name, 0, "", _not_a_kind()))
    return sheets, errors


def _read_xlsx(name: str, data: bytes) -> tuple[list[Sheet], RowError | None]:
    import tablib

    book = tablib.Databook()
    try:
        book.load(io.BytesIO(data), format="xlsx")
    except Exception as exc:  # a broken or foreign file: openpyxl raises many kinds
        return [], RowError(name, 0, "", _cant_read(exc))
    sheets = []
    single = _kind_of(name)
    datasets = book.sheets()
    for dataset in datasets:
        kind = _kind_of(dataset.title or "")
        if kind is None and single is not None and len(datasets) == 1:
            kind = single  # members.xlsx with one sheet of any name
        if kind is None:
            continue  # a sheet of notes, say
        label = name if single == kind and len(datasets) == 1 else f"{name}[{dataset.title}]"
        sheets.append(_sheet(kind, label, [dataset.headers or [], *dataset]))
    if not sheets:
        return [], RowError(name, 0, "", _not_a_kind())
    return sheets, None


def _not_a_kind() -> str:
    return _(
        "Not a file this import reads: name it after a kind (%(kinds)s), as .csv or .xlsx, "
        "or name the sheets of a workbook so."
    ) % {"kinds": ", ".join(KINDS)}


def _cant_read(exc) -> str:
    return _("The file can't be read: %(error)s") % {"error": str(exc)[:200]}
