"""The interface every online payment provider implements, and the amounts in minor units."""

from dataclasses import dataclass, field
from decimal import Decimal

# How many decimals a currency's amounts have at the card networks (Stripe's "minor units";
# https://docs.stripe.com/currencies). Every other currency has two.
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"}
    | {"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def currency_digits(currency: str) -> int:
    currency = currency.upper()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in the currency's smallest unit (cents; yen for JPY). An amount that has
    more decimals than the currency (10.50 JPY) can't be charged: ValueError."""
    scaled = Decimal(amount).scaleb(currency_digits(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of minor units.")
    return int(scaled)


class ProviderError(Exception):
    """The provider refused or could not be reached. ``str()`` is for the log, not for people."""


@dataclass(frozen=True)
class CheckoutRequest:
    """What the member is asked to pay."""

    amount: Decimal
    currency: str
    description: str
    reference: str  # the invoice's RF creditor reference
    metadata: dict = field(default_factory=dict)
    success_url: str = ""
    cancel_url: str = ""
    idempotency_key: str = ""
    email: str = ""
    locale: str = ""


@dataclass(frozen=True)
class Checkout:
    """A payment page opened at the provider: its id and where to send the member."""

    checkout_id: str
    url: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified message of the provider, in the platform's words.

    ``outcome``: "paid", "failed", "refunded", or "" for a message that changes nothing.
    ``checkout_id`` names the payment page (paid, failed); ``payment_ref`` the money moved
    (a refund names only this). ``amount_minor`` and ``currency`` are what the message says
    was paid or refunded."""

    provider: str
    event_id: str
    type: str
    outcome: str = ""
    checkout_id: str = ""
    payment_ref: str = ""
    amount_minor: int | None = None
    currency: str = ""
    note: str = ""


class Provider:
    """One online payment provider. Subclasses set ``name`` and implement both methods."""

    name = ""

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        """Open a payment page for ``request``; raise ``ProviderError`` when the provider
        refuses or can't be reached."""
        raise NotImplementedError

    def verify_webhook(self, *, body: bytes, headers) -> ProviderEvent:
        """The verified event of a webhook request; ``ValueError`` when the signature is
        missing, wrong or too old, or the body is not an event."""
        raise NotImplementedError
