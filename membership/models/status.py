"""Status history, runs of the recompute, and the notices they queue."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetcoop.core.dates import date_medium
from meetcoop.core.models import AppendOnlyModel

from .members import Membership


class StatusChange(AppendOnlyModel):
    """One change of a membership's status: when, from what to what, by whom, and why.

    ``reasons`` is a list of ``{"code", "ok", "params"}``; the words are rendered in the
    reader's language by ``membership.reasons.reason_text``.
    """

    class Source(models.TextChoices):
        NIGHTLY = "nightly", _("nightly job")
        ON_DEMAND = "on_demand", _("recompute on demand")
        COMMAND = "command", _("recompute command")
        PERSON = "person", _("a person")
        APPLICATION = "application", _("application decision")

    membership = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("membership"),
    )
    old_status = models.CharField(
        pgettext_lazy("status changed", "from"), max_length=10, choices=Membership.Status.choices
    )
    new_status = models.CharField(
        pgettext_lazy("status changed", "to"), max_length=10, choices=Membership.Status.choices
    )
    effective_on = models.DateField(_("on"))
    changed_at = models.DateTimeField(_("recorded"), default=timezone.now)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    run = models.ForeignKey(
        "StatusRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("status run"),
    )
    reasons = models.JSONField(_("reasons"), default=list, encoder=DjangoJSONEncoder)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["effective_on", "new_status"])]

    def __str__(self):
        day = date_medium(self.effective_on)
        return (
            f"{self.membership}: {self.get_old_status_display()} → "
            f"{self.get_new_status_display()} ({day})"
        )


class StatusRun(models.Model):
    """One run of the status recompute, so that a job that stopped running shows.

    ``source`` says how it was started (the nightly task, the admin's "recompute now" or
    ``recompute_status --member``, the ``recompute_status`` command for everyone) and
    ``started_by`` who, when a person did (the admin's user, the command's ``--by``).
    """

    class Scope(models.TextChoices):
        FULL = "full", _("every membership")
        CHANGED = "changed", _("what may have changed")

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped: another run held the lock")

    on = models.DateField(_("evaluated for"))
    source = models.CharField(_("source"), max_length=12, choices=StatusChange.Source.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("Empty when the schedule started it."),
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.FULL)
    # Why the run evaluated what it did, in words an admin reads on the run's page.
    plan = models.TextField(_("plan"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(pgettext_lazy("time", "finished"), null=True, blank=True)
    evaluated = models.PositiveIntegerField(_("evaluated"), default=0)
    became_active = models.PositiveIntegerField(_("became active"), default=0)
    lapsed = models.PositiveIntegerField(_("lapsed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    seconds = models.DecimalField(_("seconds"), max_digits=9, decimal_places=3, null=True)
    notified_through = models.BigIntegerField(
        _("emails sent up to change"),
        default=0,
        help_text=_(
            "The number of the last change of this run whose member has been emailed; the "
            "emails of later changes are still to be sent."
        ),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("status run")
        verbose_name_plural = _("status runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.on} {self.get_state_display()}"


class StatusNotice(models.Model):
    """An email about a membership's status that is not one of a run's changes (those are
    sent from the changes themselves): an at-risk warning, or a change made by a person.
    Kept so that each is sent only once."""

    class Kind(models.TextChoices):
        CHANGED = "changed", _("status changed")
        AT_RISK = "at_risk", _("at risk")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notices", verbose_name=_("membership")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cause = models.CharField(
        _("cause"),
        max_length=120,
        help_text=_("What the notice is about; one notice per cause."),
    )
    reasons = models.JSONField(
        _("reasons"),
        default=list,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=_("What the email explains, as stored reasons."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("status notice")
        verbose_name_plural = _("status notices")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind", "cause"], name="status_notice_once_per_cause"
            )
        ]

    def __str__(self):
        return f"{self.membership}: {self.kind} {self.cause}"


class StatusRecheck(AppendOnlyModel):
    """Something every membership (or every one of a type) reads changed: a policy, a terms
    version, a meeting or its attendance, a steward. The next nightly run evaluates all of
    them, not only those whose own facts changed. One row per such change, kept."""

    created_at = models.DateTimeField(_("recorded"), default=timezone.now, db_index=True)
    # Empty: every membership; else only the memberships of this type read what changed.
    type = models.CharField(
        _("type"), max_length=12, choices=Membership.Type.choices, blank=True, default=""
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("full recheck")
        verbose_name_plural = _("full rechecks")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.reason
