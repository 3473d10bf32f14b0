"""What the platform keeps about the forum: the nonces already answered, who entered the
forum, and the pushes of groups that failed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DiscourseNonce(models.Model):
    """A DiscourseConnect nonce the platform answered once: a second request with it is a
    replay and is refused. Kept a day (Discourse itself forgets a nonce after ten minutes)."""

    nonce = models.CharField(_("nonce"), max_length=128, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    used_at = models.DateTimeField(_("used"), default=timezone.now, db_index=True)

    class Meta:
        app_label = "standing"
        verbose_name = _("forum sign-in nonce")
        verbose_name_plural = _("forum sign-in nonces")

    def __str__(self):
        return self.nonce


class ForumAccount(models.Model):
    """A login that entered the forum through the platform at least once. Only these are
    pushed groups: Discourse's ``sync_sso`` would create an account for anyone else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="forum_account",
        verbose_name=_("user"),
    )
    first_signed_in_at = models.DateTimeField(_("first signed in"), default=timezone.now)
    last_signed_in_at = models.DateTimeField(_("last signed in"), default=timezone.now)

    class Meta:
        app_label = "standing"
        verbose_name = _("forum account")
        verbose_name_plural = _("forum accounts")

    def __str__(self):
        return str(self.user)


class ForumSyncFailure(models.Model):
    """Pushing a person's groups to the forum failed. One open row per person, updated at each
    failed attempt; a later push that succeeds marks it resolved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="forum_sync_failures",
        verbose_name=_("user"),
    )
    status_code = models.PositiveSmallIntegerField(
        _("forum's answer"),
        null=True,
        blank=True,
        help_text=_("The HTTP status the forum answered; empty when it could not be reached."),
    )
    error = models.TextField(_("error"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    will_retry = models.BooleanField(
        _("will be retried"),
        default=False,
        help_text=_(
            "Another attempt is scheduled. Otherwise the forum is told again when the "
            "person's groups change, or when a co-op admin sends them again."
        ),
    )
    first_failed_at = models.DateTimeField(_("first failed"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("last failed"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        app_label = "standing"
        verbose_name = _("forum sync failure")
        verbose_name_plural = _("forum sync failures")
        ordering = ["-last_failed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(resolved_at__isnull=True),
                name="forum_sync_failure_one_open_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.last_failed_at:%Y-%m-%d %H:%M}"
