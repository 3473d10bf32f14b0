"""Dues invoices of user members. (The ledger arrives with the contributions issue.)"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.money import MONEY_FIELD, CurrencyField


class DuesInvoice(models.Model):
    """What a user membership owes for one period of its service level."""

    membership = models.ForeignKey(
        "membership.Membership",
        on_delete=models.PROTECT,
        related_name="dues_invoices",
        verbose_name=_("membership"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = CurrencyField()
    due_on = models.DateField(_("due on"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("dues invoice")
        verbose_name_plural = _("dues invoices")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "period_start"], name="dues_invoice_once_per_period"
            )
        ]

    def __str__(self):
        return _("Dues %(start)s – %(end)s") % {
            "start": self.period_start.isoformat(),
            "end": self.period_end.isoformat(),
        }
