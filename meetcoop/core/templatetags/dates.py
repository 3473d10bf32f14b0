"""``{% load dates %}``: ``{{ day|date_medium }}`` and ``{{ moment|datetime_medium }}``, the one
date format of the reader's language (see ``meetcoop.core.dates``)."""

from django import template

from meetcoop.core import dates

register = template.Library()


@register.filter
def date_medium(value):
    return dates.date_medium(value)


@register.filter
def datetime_medium(value):
    return dates.datetime_medium(value)
