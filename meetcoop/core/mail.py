"""Emails: the one way the apps render and send them, and the one way to link to the site.

Every email is a pair of plain-text templates, ``<template>_subject.txt`` and
``<template>.txt`` (``"resellers/email/submitted"``), rendered in the reader's language. The
templates turn autoescaping off themselves (``{% autoescape off %}``): these are not HTML.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def absolute_url(path_or_url_name: str, **reverse_kwargs) -> str:
    """An absolute link for an email: ``/me/``, or a URL name reversed with
    ``reverse_kwargs`` (``absolute_url("governance:proposal_detail", args=[pk])``). A URL
    that is already absolute is returned as it is.

    Always on the domain of the sites framework's row (``core.apps.ensure_site`` keeps it
    equal to ``SITE_DOMAIN`` after every migrate), never on the host of the request being
    served, so a link is the same whether a request, a task or the nightly job sends it. The
    scheme is allauth's ``ACCOUNT_DEFAULT_HTTP_PROTOCOL`` (https in production), so our links
    and allauth's own emails agree.
    """
    if "://" in path_or_url_name:
        return path_or_url_name
    if path_or_url_name.startswith("/"):
        path = path_or_url_name
    else:
        path = reverse(path_or_url_name, **reverse_kwargs)
    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http").lower()
    return f"{protocol}://{Site.objects.get_current().domain}{path}"


def send_templated_email(
    *, template: str, to: list[str] | str, language: str, context: dict, connection=None
) -> int:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` with ``language`` active
    (the site's default when empty) and ``SITE_NAME`` in the context, collapse the subject
    to one line, and send the email from ``DEFAULT_FROM_EMAIL``. Returns the number sent.

    ``connection`` (an open ``get_connection()``) sends many emails in one session with the
    mail server. A server that refuses raises: the caller decides whether that stops its
    work (a status email: its transaction rolls back and it is tried again) or is logged and
    passed over (one applicant's address must not stop the others).
    """
    context = {**context, "SITE_NAME": settings.SITE_NAME}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMessage(" ".join(subject.split()), body, to=recipients, connection=connection)
    return message.send()
