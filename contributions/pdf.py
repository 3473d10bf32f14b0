"""An invoice as a PDF, made with fpdf2 (no browser): the same facts as its page, in the
shared document of ``meetcoop.core.pdf`` (DejaVu Sans, one style)."""

from django.utils.translation import gettext as _
from fpdf import FPDF

from meetcoop.core.pdf import FAMILY, pdf_document

from .invoice_words import (
    bank_rows,
    fact_rows,
    invoice_title,
    no_bank_details,
    reference_sentence,
    status_sentence,
)
from .selectors.invoices import InvoicePage

LABEL_WIDTH = 50
LINE = 6


def invoice_pdf(page: InvoicePage, *, compress: bool = True) -> bytes:
    """The PDF of ``page``, in the active language. ``compress=False`` writes the page's
    content uncompressed (for tests that read its text)."""
    pdf = pdf_document(title=f"{invoice_title(page)} {page.reference}", compress=compress)
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
