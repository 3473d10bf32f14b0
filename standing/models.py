"""Standing's own rows: the records of the co-op's imports (issue 16: who imported which
files, and which row of them became which object) and the forum's (``standing.discourse.models``).
Every other fact it reads belongs to a lower app."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from meetcoop.core.models import AppendOnlyModel


class ImportRun(AppendOnlyModel):
    """One import of the co-op's existing records (``manage.py import_coop`` or the admin's
    import page): who ran it, when, the files with their SHA-256, the rows per kind, and
    whether it was a dry run or refused for its errors. Never changed."""

    class Outcome(models.TextChoices):
        CHECKED = "checked", _("checked (dry run)")
        WRITTEN = "written", _("written")
        REFUSED = "refused", _("refused: errors")

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("run by"),
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    files = models.JSONField(
        _("files"), default=list, encoder=DjangoJSONEncoder, help_text=_("Name and SHA-256.")
    )
    counts = models.JSONField(
        _("rows"), default=dict, encoder=DjangoJSONEncoder, help_text=_("New rows per kind.")
    )
    skipped = models.JSONField(
        _("already imported"),
        default=dict,
        encoder=DjangoJSONEncoder,
        help_text=_("Rows per kind whose id an earlier import wrote; left unchanged."),
    )
    errors = models.PositiveIntegerField(_("errors"), default=0)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


# What an erasure writes instead of an imported id that named the person (an email used as
# the co-op's id for a member, say): a keyed hash, so that the same row in a later file is
# still known and skipped, and the id itself is gone (``erased_import_id``).
ERASED_IMPORT_ID_PREFIX = "erased:"


def erased_import_id(external_id: str) -> str:
    """The keyed hash an erasure keeps of ``external_id`` (the site's secret key is the key:
    the hash can't be matched with a list of emails without it)."""
    digest = salted_hmac("meetcoop.imports.erased-id", external_id, algorithm="sha256")
    return ERASED_IMPORT_ID_PREFIX + digest.hexdigest()


class ImportedRecord(AppendOnlyModel):
    """A row of an import, by its kind and the co-op's own id for it, and the object it
    became. An id is imported once: a second import of the same row changes nothing. An id
    that named a person who was then erased is kept only as ``erased_import_id``."""

    kind = models.CharField(_("kind"), max_length=20)
    external_id = models.CharField(_("id in the co-op's records"), max_length=100)
    object_id = models.BigIntegerField(_("object"))
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="records", verbose_name=_("import run")
    )

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_id"], name="imported_record_once_per_id"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.external_id} → {self.object_id}"


# The forum's rows (DiscourseConnect, issue 17) live with the forum's code.
# --- The co-op's services (OpenID Connect, issue 17) and their sign-ins ---------------------
import uuid  # noqa: E402

from .discourse.models import DiscourseNonce, ForumAccount, ForumSyncFailure  # noqa: E402, F401


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
