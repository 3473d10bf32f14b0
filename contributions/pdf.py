"""An invoice as a PDF, made with fpdf2 (no browser): the same facts as its page.

The text is set in DejaVu Sans, shipped in ``static/fonts/`` with its licence, so "€" and
every accented name print on any machine, whatever fonts the system has. One font, one
style: headings differ by size only."""

import logging
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF

from .invoice_words import (
    bank_rows,
    fact_rows,
    invoice_title,
    no_bank_details,
    reference_sentence,
    status_sentence,
)
from .selectors.invoices import InvoicePage

# fontTools, which fpdf2 uses to embed only the glyphs used, tells each step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "DejaVuSans.ttf"
FAMILY = "DejaVuSans"
LABEL_WIDTH = 50
LINE = 6


def invoice_pdf(page: InvoicePage, *, compress: bool = True) -> bytes:
    """The PDF of ``page``, in the active language. ``compress=False`` writes the page's
    content uncompressed (for tests that read its text)."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(f"{invoice_title(page)} {page.reference}")
    pdf.set_creator(settings.SITE_NAME)
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FAMILY, size=18)
    pdf.multi_cell(width, 10, invoice_title(page), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _rows(pdf, fact_rows(page), size=11)
    pdf.ln(2)
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(width, LINE, status_sentence(page), new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, _("How to pay"))
    banks = bank_rows(page)
    if banks:
        _rows(pdf, banks, size=11)
    else:
        pdf.set_font(FAMILY, size=11)
        pdf.multi_cell(width, LINE, no_bank_details(page), new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, _("Payment reference"))
    pdf.set_font(FAMILY, size=16)
    pdf.multi_cell(width, 9, page.reference, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(width, LINE, reference_sentence(), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font(FAMILY, size=14)
    pdf.multi_cell(pdf.epw, 8, text, new_x="LMARGIN", new_y="NEXT")


def _rows(pdf: FPDF, rows, *, size: int) -> None:
    """Label and value side by side; a long value wraps in its own column."""
    pdf.set_font(FAMILY, size=size)
    for label, value in rows:
        top = pdf.get_y()
        label_lines = pdf.multi_cell(LABEL_WIDTH, LINE, label, dry_run=True, output="LINES")
        pdf.multi_cell(LABEL_WIDTH, LINE, label, new_x="RIGHT", new_y="TOP")
        pdf.multi_cell(pdf.epw - LABEL_WIDTH, LINE, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), top + len(label_lines) * LINE))
