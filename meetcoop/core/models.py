"""Shared building blocks: an append-only model base and the audit log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows can't be changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows can't be deleted.")

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        # An "upsert" overwrites the row that holds the same key: never in an append-only table.
        if update_conflicts:
            raise AppendOnlyError(f"{self.model.__name__} rows are never overwritten.")
        return super().bulk_create(objs, *args, **kwargs)

    update.queryset_only = True
    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """A row is written once and never changed or deleted (byro's log, pretix's LogEntry).

    On PostgreSQL a trigger (see ``meetcoop.core.db.append_only_trigger_sql``) refuses even raw
    SQL UPDATE and DELETE on the tables that opt in.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows can't be changed.")
        # Always an INSERT: a new instance given the id of a row already written would
        # otherwise make Django UPDATE that row.
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows can't be deleted.")


class AuditEntry(AppendOnlyModel):
    """Who did what to which object, and when. Every service that changes state writes one."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system acted (a nightly job)."),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kind of object"),
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class SubmissionKey(models.Model):
    """A form's one-time key, claimed by the POST whose work it did
    (``meetcoop.core.submissions``).

    The unique key decides between two posts of one form: the second, even at the same moment,
    finds it claimed and records nothing. Rows are purged by age (``submission_keys_purge``).
    """

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Where the post that claimed the key sent the person: a second post goes there too.
    outcome_url = models.TextField(blank=True)

    def __str__(self):
        return self.key
