from django import template
from django.utils.html import format_html

from meetcoop.core.submissions import FIELD, submission_key_new

register = template.Library()


@register.simple_tag
def submission_key():
    """``{% submission_key %}`` inside a ``<form method="post">``: a hidden field with a fresh
    one-time key, so that the form sent twice does its work once (``@submitted_once``)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, submission_key_new())
