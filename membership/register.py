"""The register of members as files: CSV (for a spreadsheet or a yearly archive) and PDF
(to print or keep), from the rows of ``membership.selectors.member_register``. The page
(``standing``) and the ``member_register`` command use these; who read the register, as at
which day, in which form and how many rows, is in the audit log
(``membership.services.member_register_read``)."""

import datetime

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf.fonts import FontFace

from meetcoop.core.dates import date_medium
from meetcoop.core.exports import csv_cell, csv_lines
from meetcoop.core.pdf import FAMILY, pdf_document

from .selectors import RegisterRow

# The CSV's columns, named for machines like every export (the cells' codes: ``type`` and
# ``status`` as stored, dates ISO 8601, ``country`` its ISO 3166 code).
CSV_HEADER = [
    "member_number",
    "name",
    "contact_person",
    "address",
    "country",
    "type",
    "admitted_on",
    "ceased_on",
    "steward",
    "status",
]


def register_csv_lines(rows: list[RegisterRow]):
    """The register as CSV lines, one at a time; every text a person typed is made inert for
    spreadsheets (``csv_cell``)."""
    return csv_lines(
        CSV_HEADER,
        (
            [
                row.member_number,
                csv_cell(row.name),
                csv_cell(row.contact_person),
                csv_cell(row.address),
                row.country,
                row.type,
                row.admitted_on.isoformat(),
                row.ceased_on.isoformat() if row.ceased_on else "",
                csv_cell(row.steward),
                row.status,
            ]
            for row in rows
        ),
    )


def register_filename(on: datetime.date, extension: str) -> str:
    return f"register-of-members-{on.isoformat()}.{extension}"


def register_title(on: datetime.date) -> str:
    return _("Register of members as at %(date)s") % {"date": date_medium(on)}


def register_count(count: int) -> str:
    return ngettext(
        "%(count)s membership on the register.", "%(count)s memberships on the register.", count
    ) % {"count": count}


def register_columns() -> list[str]:
    """The columns' headings on the page and in the PDF, in the active language."""
    return [
        _("Member number"),
        _("Name"),
        _("Contact person"),
        _("Postal address or email"),
        _("Country"),
        _("Type"),
        _("Admitted"),
        _("Ceased"),
        _("Steward"),
        _("Status"),
    ]


# Relative widths of the PDF's columns, in the order of ``register_columns``.
PDF_WIDTHS = (20, 32, 28, 46, 20, 18, 20, 20, 28, 18)


def register_pdf(rows: list[RegisterRow], *, on: datetime.date, compress: bool = True) -> bytes:
    """The register as an A4 landscape PDF in the active language: its title, the count, and
    the table, its headings repeated on every page."""
    title = register_title(on)
    pdf = pdf_document(title=title, landscape=True, compress=compress)
    pdf.set_font(FAMILY, size=16)
    pdf.multi_cell(pdf.epw, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(
        pdf.epw,
        6,
        f"{settings.SITE_NAME} · {register_count(len(rows))}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font(FAMILY, size=8)
    with pdf.table(
        col_widths=PDF_WIDTHS,
        text_align="LEFT",
        line_height=4.5,
        repeat_headings=1,
        # One font, one style: the headings stand out by their shade, not in bold.
        headings_style=FontFace(emphasis="", size_pt=7, fill_color=(230, 230, 230)),
    ) as table:
        heading = table.row()
        for column in register_columns():
            heading.cell(column)
        for row in rows:
            cells = table.row()
            for value in (
                str(row.member_number),
                row.name,
                row.contact_person,
                row.address,
                row.country_name,
                capfirst(row.type_label),
                date_medium(row.admitted_on),
                date_medium(row.ceased_on) if row.ceased_on else "",
                row.steward,
                capfirst(row.status_label),
            ):
                cells.cell(value)
    return bytes(pdf.output())
