"""An invoice a member can act on: its page and its PDF, for a dues or a pledge invoice.

Seen by the member's contacts, the admins of its membership's steward, treasurers and co-op
admins (``selectors.invoices_visible_to``); anyone else gets 404, as if it did not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from .invoice_words import (
    bank_rows,
    fact_rows,
    invoice_title,
    no_bank_details,
    reference_sentence,
    status_sentence,
)
from .models import DuesInvoice, PledgeInvoice
from .pdf import invoice_pdf
from .selectors import invoices as selectors

# Tests set this to False to read the PDF's text.
COMPRESS_PDF = True


def _dues_page(request, pk):
    today = timezone.localdate()
    try:
        invoice = selectors.dues_invoice_for_page(request.user, pk, on=today)
    except DuesInvoice.DoesNotExist:
        raise Http404 from None
    return selectors.dues_invoice_page(invoice, on=today)


def _pledge_page(request, pk):
    today = timezone.localdate()
    try:
        invoice = selectors.pledge_invoice_for_page(request.user, pk, on=today)
    except PledgeInvoice.DoesNotExist:
        raise Http404 from None
    return selectors.pledge_invoice_page(invoice, on=today)


def _render(request, page, pdf_url):
    context = {
        "page": page,
        "title": invoice_title(page),
        "facts": fact_rows(page),
        "status_sentence": status_sentence(page),
        "bank": bank_rows(page),
        "no_bank_details": no_bank_details(page),
        "reference_sentence": reference_sentence(),
        "pdf_url": pdf_url,
        # What an online payment button (``_pay_online.html``) needs.
        "invoice": page.invoice,
        "invoice_kind": page.kind,
    }
    return render(request, "contributions/invoice_detail.html", context)


def _pdf(page) -> HttpResponse:
    data = invoice_pdf(page, compress=COMPRESS_PDF)
    response = HttpResponse(data, content_type="application/pdf")
    name = "".join(page.reference.split())
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"  # a member's debts: kept by no cache on the way
    return response


@login_required
def invoice_detail(request, pk):
    page = _dues_page(request, pk)
    return _render(request, page, reverse("contributions:invoice_pdf", args=[pk]))


@login_required
def invoice_pdf_view(request, pk):
    return _pdf(_dues_page(request, pk))


@login_required
def pledge_detail(request, pk):
    page = _pledge_page(request, pk)
    return _render(request, page, reverse("contributions:pledge_pdf", args=[pk]))


@login_required
def pledge_pdf_view(request, pk):
    return _pdf(_pledge_page(request, pk))
