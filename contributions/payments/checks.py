"""A system check: the configured payment provider exists and has its secrets."""

from django.conf import settings
from django.core import checks

from . import PROVIDERS


@checks.register(checks.Tags.compatibility)
def payment_provider_configured(app_configs=None, **kwargs):
    name = getattr(settings, "PAYMENT_PROVIDER", "")
    if not name:
        return []
    if name not in PROVIDERS:
        return [
            checks.Error(
                f"PAYMENT_PROVIDER={name!r} is not one of: {', '.join(PROVIDERS)} (or empty).",
                id="contributions.E001",
            )
        ]
    if name == "stripe":
        missing = [
            key
            for key in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
            if not getattr(settings, key, "")
        ]
        if missing:
            return [
                checks.Error(
                    f"PAYMENT_PROVIDER=stripe needs {' and '.join(missing)}.",
                    hint="See docs/online-payments.md.",
                    id="contributions.E002",
                )
            ]
    return []
