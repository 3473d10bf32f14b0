"""Standing's own rows: the records of the co-op's imports (issue 16: who imported which
files, and which row of them became which object) and the forum's (``standing.discourse.models``).
Every other fact it reads belongs to a lower app."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
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


class ImportedRecord(AppendOnlyModel):
    """A row of an import, by its kind and the co-op's own id for it, and the object it
    became. An id is imported once: a second import of the same row changes nothing."""

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
from .discourse.models import DiscourseNonce, ForumAccount, ForumSyncFailure  # noqa: E402, F401
