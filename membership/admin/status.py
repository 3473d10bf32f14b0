"""The status history, runs and notices: read-only."""

from django.contrib import admin
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

    list_display = [
        "started_at",
        "on",
        "source",
        "started_by",
        "state",
        "dry_run",
        "scope",
        "evaluated",
        "became_active",
        "lapsed",
        "unchanged",
        "seconds",
    ]
    list_filter = ["state", "source", "scope", "dry_run"]
    list_select_related = ["started_by"]
    date_hierarchy = "started_at"


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
