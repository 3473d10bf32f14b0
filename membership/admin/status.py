"""The status history, runs and notices: read-only."""

from django.contrib import admin
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meetcoop.core.admin import (
    ReadOnlyAdminMixin,
    StewardScopedAdminMixin,
)

from ..models import (
    StatusChange,
    StatusNotice,
    StatusRun,
)


@admin.register(StatusRun)
class StatusRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every run of the status recompute: a job that silently stopped shows here."""

    # Seven columns, so that the list fits a laptop's screen beside the admin's menu: who
    # started a run under how, a dry run under its state, the four counts in one column.
    list_display = [
        "started_at",
        "on",
        "started_how",
        "state_shown",
        "scope",
        "outcome",
        "seconds",
    ]
    list_filter = ["state", "source", "scope", "dry_run"]
    list_select_related = ["started_by"]
    date_hierarchy = "started_at"

    @admin.display(description=_("source"), ordering="source")
    def started_how(self, run):
        if run.started_by is None:
            return run.get_source_display()
        return format_html("{}<br>{}", run.get_source_display(), run.started_by)

    @admin.display(description=_("state"), ordering="state")
    def state_shown(self, run):
        if not run.dry_run:
            return run.get_state_display()
        return format_html("{}<br>{}", run.get_state_display(), _field_label("dry_run"))

    @admin.display(description=_("outcome"))
    def outcome(self, run):
        return format_html_join(
            mark_safe("<br>"),
            "{}",
            (
                (
                    # A count after its name, as each language writes it ("lapsed : 67").
                    gettext("%(label)s: %(count)s")
                    % {
                        "label": _field_label(name),
                        "count": number_format(getattr(run, name), force_grouping=True),
                    },
                )
                for name in ("evaluated", "became_active", "lapsed", "unchanged")
            ),
        )


def _field_label(name: str) -> str:
    """A field's name as the form and the filters show it (``verbose_name``)."""
    return StatusRun._meta.get_field(name).verbose_name


@admin.register(StatusChange)
class StatusChangeAdmin(StewardScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    steward_lookup = "membership__steward"
    list_display = [
        "changed_at",
        "membership",
        "old_status",
        "new_status",
        "effective_on",
        "source",
        "actor",
        "reason_summary",
    ]
    list_filter = ["new_status", "old_status", "source", "membership__type"]
    search_fields = ["membership__member__name", "membership__member__email"]
    list_select_related = ["membership__member", "actor"]
    date_hierarchy = "changed_at"

    @admin.display(description=_("why"))
    def reason_summary(self, obj):
        from ..reasons import reason_text

        failing = [r for r in obj.reasons if not r.get("ok", True)] or obj.reasons
        return " ".join(reason_text(r) for r in failing) or obj.note


@admin.register(StatusNotice)
class StatusNoticeAdmin(StewardScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    steward_lookup = "membership__steward"
    list_display = ["created_at", "membership", "kind", "cause", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["membership__member__name", "membership__member__email", "cause"]
    list_select_related = ["membership__member"]
