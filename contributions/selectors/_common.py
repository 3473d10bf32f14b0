"""Constants the selector modules share."""

from decimal import Decimal

from django.db.models import DecimalField

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

MONEY_OUT = DecimalField(max_digits=14, decimal_places=2)
