"""Paying an invoice online: the member's "Pay online" button (a POST that sends the member to
the provider's payment page) and the provider's webhook, which records what became of it.

An invoice that is not the member's answers 404, as does every page here when no provider is
configured or the invoice's steward does not offer online payment.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from meetcoop.core.errors import DomainError

from .models import DuesInvoice, PledgeInvoice
from .payments import provider
from .selectors import own_invoice_payable_online
from .services import online_payment_event_record, online_payment_start

logger = logging.getLogger(__name__)


def pay_rate(group, request) -> str:
    """Payment pages one login may open (``CONTRIBUTIONS_PAY_RATE``, default 20 an hour)."""
    return getattr(settings, "CONTRIBUTIONS_PAY_RATE", "20/h")


def _invoice_page(invoice) -> str:
    name = (
        "contributions:pledge_detail"
        if isinstance(invoice, PledgeInvoice)
        else ("contributions:invoice_detail")
    )
    return reverse(name, args=[invoice.pk])


def _own_invoice(request, model, pk):
    """The member's own invoice of a steward that offers online payment, else 404."""
    invoice = own_invoice_payable_online(request.user, model, pk)
    if invoice is None:
        raise Http404
    return invoice


def _pay(request, invoice):
    back = _invoice_page(invoice)
    if getattr(request, "limited", False):
        messages.error(
            request, _("You have opened many payment pages in a short time. Please try later.")
        )
        return redirect(back)
    try:
        _payment, url = online_payment_start(
            invoice=invoice,
            actor=request.user,
            success_url=request.build_absolute_uri(back),
            cancel_url=request.build_absolute_uri(back),
        )
    except DomainError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    return HttpResponseRedirect(url)


@login_required
@require_POST
@ratelimit(group="contributions.pay", key="user", rate=pay_rate, method="POST", block=False)
def invoice_pay(request, pk):
    return _pay(request, _own_invoice(request, DuesInvoice, pk))


@login_required
@require_POST
@ratelimit(group="contributions.pay", key="user", rate=pay_rate, method="POST", block=False)
def pledge_pay(request, pk):
    return _pay(request, _own_invoice(request, PledgeInvoice, pk))


@csrf_exempt
@require_POST
def webhook(request, name: str):
    """The provider's messages. A message whose signature is missing, wrong or too old is
    refused (400) and records nothing; one received before answers 200 and records nothing
    more."""
    chosen = provider()
    if chosen is None or chosen.name != name:
        raise Http404
    try:
        event = chosen.verify_webhook(body=request.body, headers=request.headers)
    except ValueError as exc:
        logger.warning("Refused a %s webhook: %s", name, exc)
        return HttpResponseBadRequest("Bad signature.", content_type="text/plain")
    row, created = online_payment_event_record(event=event)
    return HttpResponse(
        f"{'Recorded' if created else 'Already received'}: {row.outcome}.",
        content_type="text/plain",
    )
