"""A former member's request to be forgotten, and the co-op admin's decision on it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import Member


class ErasureRequest(models.Model):
    """A former member (or a co-op admin on their behalf) asks to be erased; a co-op admin
    confirms or refuses. The request moves once, from requested to confirmed or refused, with
    who and when (``standing.services.erasure_confirm``); a second decision is refused. The
    pseudonym is made when the request is made, from a random token (never from the name), so
    the confirmation page can show it; the erasure writes it in place of the name."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        CONFIRMED = "confirmed", _("confirmed")
        REFUSED = "refused", _("refused")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="erasure_requests", verbose_name=_("member")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("why"), max_length=300, blank=True)
    token = models.CharField(max_length=16, unique=True, editable=False)
    pseudonym = models.CharField(_("pseudonym"), max_length=100, unique=True, editable=False)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="requested") & Q(decided_at__isnull=True))
                | (~Q(status="requested") & Q(decided_at__isnull=False)),
                name="erasure_request_decided_has_time",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="requested"),
                name="erasure_request_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="confirmed"),
                name="erasure_request_confirmed_once",
            ),
        ]

    def __str__(self):
        return self.pseudonym
