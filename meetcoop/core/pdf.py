"""PDF documents made with fpdf2 (no browser), the same way everywhere.

The text is set in DejaVu Sans, shipped in ``static/fonts/`` with its licence, so "€" and
every accented name print on any machine, whatever fonts the system has. One font, one
style: headings differ by size only.

Text is shaped (fpdf2's ``set_text_shaping``, with HarfBuzz): a name in a right-to-left
script (Arabic, Hebrew) is drawn right to left, its letters joined as they are written,
rather than left to right letter by letter, which reads backwards."""

import logging
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

# fontTools, which fpdf2 uses to embed only the glyphs used, tells each step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "DejaVuSans.ttf"
FAMILY = "DejaVuSans"


def pdf_document(*, title: str, landscape: bool = False, compress: bool = True) -> FPDF:
    """An A4 document titled ``title``, in DejaVu Sans, breaking pages 15 mm from the foot,
    with its first page added. ``compress=False`` writes the content uncompressed (for tests
    that read its text)."""
    pdf = FPDF(orientation="L" if landscape else "P", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(title)
    pdf.set_creator(settings.SITE_NAME)
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf
