"""Stripe Checkout through Stripe's official library (``stripe``).

A member pays on a Checkout Session (mode "payment", one line: the invoice). Stripe tells the
outcome to the webhook: ``checkout.session.completed`` (paid at once, or later for a slow
method), ``checkout.session.async_payment_succeeded`` / ``..._failed``,
``checkout.session.expired`` (abandoned) and ``charge.refunded``. Every webhook is verified
with ``stripe.Webhook.construct_event`` and the endpoint's signing secret.
"""

import json

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
        secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "") or ""
        if not secret.strip():
            # An empty secret would let anyone sign (older stripe libraries accept it).
            raise ValueError("STRIPE_WEBHOOK_SECRET is not set: every webhook is refused.")
        try:
            stripe.WebhookSignature.verify_header(
                body,
                headers.get("Stripe-Signature"),
                secret,
                stripe.Webhook.DEFAULT_TOLERANCE,
            )
            # Signed: now read it. A signed body that is not an event (bad JSON, bad UTF-8, a
            # list, a "data" that is not an object) is refused the same way, never a 500.
            data = json.loads(body)
        except stripe.SignatureVerificationError as exc:
            raise ValueError(f"Bad Stripe signature: {exc}") from exc
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("id"), str)
            or not isinstance(data.get("type"), str)
        ):
            raise ValueError("A Stripe webhook without an event id or type.")
        return _event(data)


def _event(data: dict) -> ProviderEvent:
    kind = data["type"]
    container = data.get("data")
    obj = container.get("object") if isinstance(container, dict) else None
    if not isinstance(obj, dict):
        obj = {}
    base = {"provider": NAME, "event_id": data["id"], "type": kind}
    currency = str(obj.get("currency") or "").upper()
    if kind.startswith("checkout.session."):
        common = {
            **base,
            "checkout_id": str(obj.get("id") or ""),
            "payment_ref": str(obj.get("payment_intent") or ""),
            "amount_minor": _minor(obj.get("amount_total")),
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
            amount_minor=_minor(obj.get("amount_refunded")),
            currency=currency,
            note="" if obj.get("refunded") else "partial refund",
        )
    return ProviderEvent(**base)


def _minor(value) -> int | None:
    """An amount in minor units as the message gives it; anything but a whole number (a
    string, a boolean) is no amount, and an amount check then ignores the message."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None
