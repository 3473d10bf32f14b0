"""Stripe Checkout through Stripe's official library (``stripe``).

A member pays on a Checkout Session (mode "payment", one line: the invoice). Stripe tells the
outcome to the webhook: ``checkout.session.completed`` (paid at once, or later for a slow
method), ``checkout.session.async_payment_succeeded`` / ``..._failed``,
``checkout.session.expired`` (abandoned) and ``charge.refunded``. Every webhook is verified
with ``stripe.Webhook.construct_event`` and the endpoint's signing secret.
"""

import stripe
from django.conf import settings

from .base import Checkout, CheckoutRequest, Provider, ProviderError, ProviderEvent, minor_units

NAME = "stripe"


def checkout_session_create(params: dict, *, idempotency_key: str = "") -> dict:
    """Create a Checkout Session at Stripe and return it as a dict (the one network call;
    tests replace it)."""
    client = stripe.StripeClient(settings.STRIPE_SECRET_KEY)
    options = {"idempotency_key": idempotency_key} if idempotency_key else {}
    session = client.v1.checkout.sessions.create(params=params, options=options)
    return session.to_dict()


class StripeCheckout(Provider):
    name = NAME

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": minor_units(request.amount, request.currency),
                        "product_data": {"name": request.description[:250]},
                    },
                }
            ],
            "client_reference_id": request.reference,
            "metadata": request.metadata,
            "payment_intent_data": {
                "description": request.description[:250],
                "metadata": request.metadata,
            },
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "locale": "auto",
        }
        if request.email:
            params["customer_email"] = request.email
        try:
            session = checkout_session_create(params, idempotency_key=request.idempotency_key)
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe refused the Checkout Session: {exc!r}") from exc
        if not session.get("id") or not session.get("url"):
            raise ProviderError("Stripe answered a Checkout Session without an id or a URL.")
        return Checkout(checkout_id=session["id"], url=session["url"])

    def verify_webhook(self, *, body: bytes, headers) -> ProviderEvent:
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET
            )
        except stripe.SignatureVerificationError as exc:
            raise ValueError(f"Bad Stripe signature: {exc}") from exc
        # A signed body that is not an event (bad JSON, bad UTF-8) is refused the same way.
        data = event.to_dict()
        if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
            raise ValueError("A Stripe webhook without an event id or type.")
        return _event(data)


def _event(data: dict) -> ProviderEvent:
    kind = data["type"]
    obj = (data.get("data") or {}).get("object") or {}
    base = {"provider": NAME, "event_id": data["id"], "type": kind}
    currency = str(obj.get("currency") or "").upper()
    if kind.startswith("checkout.session."):
        common = {
            **base,
            "checkout_id": str(obj.get("id") or ""),
            "payment_ref": str(obj.get("payment_intent") or ""),
            "amount_minor": obj.get("amount_total"),
            "currency": currency,
        }
        if kind == "checkout.session.completed":
            if obj.get("payment_status") == "paid":
                return ProviderEvent(**common, outcome="paid")
            # Unpaid: a slow method (a bank debit) still runs; its own event will follow.
            return ProviderEvent(**common, note=f"payment_status={obj.get('payment_status')}")
        if kind == "checkout.session.async_payment_succeeded":
            return ProviderEvent(**common, outcome="paid")
        if kind in ("checkout.session.async_payment_failed", "checkout.session.expired"):
            return ProviderEvent(**common, outcome="failed")
        return ProviderEvent(**common)
    if kind == "charge.refunded":
        return ProviderEvent(
            **base,
            outcome="refunded",
            payment_ref=str(obj.get("payment_intent") or ""),
            amount_minor=obj.get("amount_refunded"),
            currency=currency,
            note="" if obj.get("refunded") else "partial refund",
        )
    return ProviderEvent(**base)
