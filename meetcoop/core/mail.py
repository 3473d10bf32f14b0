"""Emails: the one way the apps render and send them, and the one way to link to the site.

Every email is a pair of plain-text templates, ``<template>_subject.txt`` and
``<template>.txt`` (``"resellers/email/submitted"``), rendered in the reader's language. The
templates turn autoescaping off themselves (``{% autoescape off %}``): these are not HTML.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


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


# Rows of ``send_once_each`` read at once (with what they select and prefetch).
SEND_CHUNK = 500


class PartlySent(Exception):  # noqa: N818 (not an error: an outcome the caller keeps)
    """Raised by the ``send`` of ``send_once_each`` when the mail server took the email of a
    row for some of its addresses and refused it for others: ``sent`` emails went. The rows
    ``send`` wrote in the row's transaction (which addresses were written to) are kept, and
    the row's mark is taken back, so that the task run again writes to the others only."""

    def __init__(self, sent: int):
        super().__init__(sent)
        self.sent = sent


def send_once_each(
    rows: models.QuerySet, *, mark: str, send: Callable[[models.Model, object], int]
) -> int:
    """Send the email of each row of ``rows`` whose ``mark`` (a date-time field of the row) is
    empty, with ``send(row, connection)``, and set the mark: each row in a short transaction of
    its own that marks the row first (a conditional UPDATE, which holds the row until the
    transaction ends) and then sends its email, over one session with the mail server. The
    rows are read ``SEND_CHUNK`` at a time (one query, and those of ``rows``' prefetches, per
    chunk); each then costs its one UPDATE. Returns the number of emails ``send`` reports.

    So a task that writes to many people is safe to run twice, or twice at once (a task
    delivered again after a worker restarted mid-way, a task enqueued twice): a row already
    marked is passed over, and a row another run is sending waits for it, then is found
    marked. A row whose ``send`` raises (the mail server refused) is logged and its mark rolled
    back, so that the task run again writes to it, and to nobody else a second time. A row
    written to in part (``send`` raises ``PartlySent``) keeps what ``send`` wrote and is left
    unmarked, so that a run again writes to the rest of it.
    """
    unmarked = {f"{mark}__isnull": True}
    ids = list(rows.filter(**unmarked).order_by("pk").values_list("pk", flat=True))
    manager = rows.model._default_manager
    sent = 0
    with get_connection() as connection:
        for start in range(0, len(ids), SEND_CHUNK):
            for row in rows.filter(pk__in=ids[start : start + SEND_CHUNK]).order_by("pk"):
                try:
                    with transaction.atomic():
                        claimed = manager.filter(pk=row.pk, **unmarked)
                        if not claimed.update(**{mark: timezone.now()}):
                            continue  # sent meanwhile, by another run
                        try:
                            sent += send(row, connection)
                        except PartlySent as partly:  # the rest for a run again
                            sent += partly.sent
                            manager.filter(pk=row.pk).update(**{mark: None})
                            logger.warning(
                                "The email of %s %s was sent to some of its addresses only.",
                                rows.model.__name__,
                                row.pk,
                            )
                except Exception:  # the mail server refused: unmarked again, for a run again
                    logger.exception(
                        "The email of %s %s was not sent.", rows.model.__name__, row.pk
                    )
    return sent
