"""Dated exchange rates: what one unit of a currency the stewards take is worth in the co-op's
own currency (the policy's), from a given day. Wherever an amount counts toward a commitment
(money given, a reseller's revenue share), its value is computed once, with the rate in force
on the day the money was received, and stored with the rate used.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.dates import date_medium
from meetcoop.core.models import AppendOnlyModel
from meetcoop.core.money import CurrencyField

RATE_FIELD = {"max_digits": 14, "decimal_places": 6}


class ExchangeRate(AppendOnlyModel):
    """One unit of ``currency`` is worth ``rate`` units of ``base`` from ``effective_from`` on,
    until a later rate of the same pair starts. A row is never changed: a mistake is corrected
    by a new row for the same day, which points at the one it corrects and wins over it."""

    currency = CurrencyField(verbose_name=_("currency"))
    base = CurrencyField(
        verbose_name=_("in the co-op's currency"),
        help_text=_("The policy's currency, in which commitments are counted."),
    )
    rate = models.DecimalField(
        _("rate"),
        **RATE_FIELD,
        validators=[MinValueValidator(0)],
        help_text=_("How much one unit of the currency is worth in the co-op's currency."),
    )
    effective_from = models.DateField(_("in force from"))
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the rate comes from.")
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-effective_from", "-id"]
        indexes = [models.Index(fields=["currency", "base", "effective_from"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(currency=models.F("base")), name="exchange_rate_two_currencies"
            ),
        ]

    def __str__(self):
        return _("1 %(currency)s = %(rate)s %(base)s from %(date)s") % {
            "currency": self.currency,
            "rate": f"{self.rate.normalize():f}",  # 10, not 1E+1
            "base": self.base,
            "date": date_medium(self.effective_from),
        }
