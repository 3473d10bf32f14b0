"""Exchange rates: recorded, never changed; a correction is a new row for the same day."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.locks import lock_until_commit
from meetcoop.core.money import validate_currency

from ..models import ExchangeRate


def exchange_rate_record(
    *, currency: str, base: str, rate, effective_from: datetime.date, source: str = "", actor
) -> ExchangeRate:
    """Record that one ``currency`` is worth ``rate`` ``base`` from ``effective_from`` on. A
    second rate for the same pair and day corrects the first (it points at it); amounts
    already recorded keep the rate they were recorded with."""
    validate_currency(currency)
    validate_currency(base)
    if currency == base:
        raise DomainError(_("A rate converts between two different currencies."), field="currency")
    try:
        rate = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        raise DomainError(_("The rate must be a number."), field="rate") from None
    if not rate.is_finite() or rate <= 0:
        raise DomainError(_("The rate must be more than zero."), field="rate")
    with transaction.atomic():
        lock_until_commit(f"membership.rate:{currency}:{base}:{effective_from.isoformat()}")
        previous = (
            ExchangeRate.objects.filter(currency=currency, base=base, effective_from=effective_from)
            .order_by("-id")
            .first()
        )
        if previous is not None and previous.rate == rate and previous.source == source:
            return previous  # the same rate again: nothing to correct
        row = ExchangeRate(
            currency=currency,
            base=base,
            rate=rate,
            effective_from=effective_from,
            source=source.strip(),
            corrects=previous,
            created_by=actor,
        )
        row.full_clean()
        row.save()
        audit_log(
            actor=actor,
            action="membership.exchange_rate.recorded",
            obj=row,
            data={
                "currency": currency,
                "base": base,
                "rate": str(rate),
                "effective_from": effective_from.isoformat(),
                "corrects": previous.pk if previous else None,
            },
        )
    return row
