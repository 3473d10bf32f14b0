"""Online payment providers behind one small interface (``base.Provider``).

The co-op configures one provider from the environment (``PAYMENT_PROVIDER``); ``provider()``
returns it, or None when none is configured (members then pay by bank transfer only). A second
provider (Mollie) is one more module implementing ``Provider`` and one line in ``PROVIDERS``.
Nothing here touches the database: the services record what a provider says.
"""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Checkout, CheckoutRequest, Provider, ProviderError, ProviderEvent, minor_units

# PAYMENT_PROVIDER value -> "module:class" implementing ``Provider``.
PROVIDERS = {
    "stripe": "contributions.payments.stripe_checkout:StripeCheckout",
}


def provider() -> Provider | None:
    """The configured provider, or None when ``PAYMENT_PROVIDER`` is empty."""
    name = getattr(settings, "PAYMENT_PROVIDER", "")
    if not name:
        return None
    try:
        module, cls = PROVIDERS[name].split(":")
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"PAYMENT_PROVIDER={name!r} is not one of: {', '.join(PROVIDERS)} (or empty)."
        ) from exc
    return getattr(import_module(module), cls)()


__all__ = [
    "PROVIDERS",
    "Checkout",
    "CheckoutRequest",
    "Provider",
    "ProviderError",
    "ProviderEvent",
    "minor_units",
    "provider",
]
