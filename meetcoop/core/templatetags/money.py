"""``{% load money %}``: ``{{ amount|money:currency }}``, an amount as the reader's language
writes money ("1.234,50 €" in Catalan, "1 234,50 $CA" in French; see ``meetcoop.core.money``)."""

from decimal import Decimal, InvalidOperation

from django import template

from meetcoop.core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency):
    if amount in (None, ""):
        return ""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return amount
    return format_money(value, currency or "")
