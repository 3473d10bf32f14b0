"""``{% online_payment_offer as offer %}``: whether and how the page's invoice (``invoice``, a
dues invoice, or ``pledge``, a pledge invoice, or the one given: ``{% online_payment_offer
some_invoice as offer %}``) may be paid online, for ``contributions/_pay_online.html``; the
invoice page's view needs nothing more than the invoice in its context."""

from django import template

from ..selectors.online_payments import OnlinePaymentOffer, online_payment_offer

register = template.Library()


@register.simple_tag(name="online_payment_offer", takes_context=True)
def online_payment_offer_tag(context, invoice=None) -> OnlinePaymentOffer:
    invoice = invoice or context.get("invoice") or context.get("pledge")
    if not invoice:
        return OnlinePaymentOffer(shown=False)
    return online_payment_offer(invoice)
