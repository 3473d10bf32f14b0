"""The co-op's services that sign people in with their membership (OpenID Connect), and the
record of each sign-in. A service belongs to a steward: its members, while active, may use it
(docs/services.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.models import AppendOnlyModel


class Service(models.Model):
    """A service (a Greenlight, or another application) that signs people in here. Its OAuth
    client (django-oauth-toolkit's ``Application``: client id, hashed secret, exact redirect
    URIs) is one-to-one; who may sign in follows the steward's memberships
    (``standing.oidc.selectors.service_access``)."""

    class Kind(models.TextChoices):
        GREENLIGHT = "greenlight", _("Greenlight")
        OTHER = "other", _("another application")

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="service",
        verbose_name=_("OAuth client"),
    )
    steward = models.ForeignKey(
        "resellers.Steward",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("steward"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    own_service = models.BooleanField(
        _("the co-op's own service"),
        default=False,
        help_text=_(
            "Only co-op admins may tick it. People are then signed in without being asked "
            "to share their name and email with it."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["steward__name", "application__name"]

    def __str__(self):
        return self.application.name


class ServiceSignIn(AppendOnlyModel):
    """One sign-in of a person to a service: who, which, when (written when the service is
    given an authorization code)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_sign_ins",
        verbose_name=_("person"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="sign_ins", verbose_name=_("service")
    )
    at = models.DateTimeField(_("signed in"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in to a service")
        verbose_name_plural = _("sign-ins to services")
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "service", "at"])]

    def __str__(self):
        return f"{self.user} · {self.service} · {self.at:%Y-%m-%d %H:%M}"


class ServiceSubject(models.Model):
    """The identifier services know a person by (the ID token's ``sub``): opaque, made at the
    person's first sign-in to any service and never changed, whatever becomes of their email
    or the site's secret key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="service_subject",
        verbose_name=_("person"),
    )
    sub = models.UUIDField(_("subject"), unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("subject known to services")
        verbose_name_plural = _("subjects known to services")

    def __str__(self):
        return str(self.sub)
