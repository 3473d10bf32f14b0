"""The failed pushes of forum groups, for co-op admins, with "Retry now"."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetcoop.core.roles import is_coop_admin

from .models import ForumSyncFailure
from .selectors import discourse_sync_enabled
from .tasks import discourse_sync_enqueue


@admin.register(ForumSyncFailure)
class ForumSyncFailureAdmin(admin.ModelAdmin):
    """Co-op admins only. Nothing is edited here: the rows are written by the pushes, and
    "change" is the right to push again."""

    list_display = [
        "user",
        "status_code",
        "short_error",
        "attempts",
        "will_retry",
        "last_failed_at",
        "resolved_at",
    ]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), "will_retry"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user"]
    date_hierarchy = None
    actions = ["retry_now"]

    def has_module_permission(self, request):
        return is_coop_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coop_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_coop_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return obj.error if len(obj.error) <= 120 else f"{obj.error[:119]}…"

    @admin.action(
        description=_("Push the groups of the selected people again now"), permissions=["change"]
    )
    def retry_now(self, request, queryset):
        if not discourse_sync_enabled():
            self.message_user(
                request,
                _(
                    "The forum's address, secret or API key is not configured: nothing can be "
                    "sent (see docs/forum.md)."
                ),
                "warning",
            )
            return
        count = discourse_sync_enqueue(queryset.values_list("user_id", flat=True))
        self.message_user(
            request,
            ngettext(
                "The forum groups of %(count)s person were sent again; a failure shows here.",
                "The forum groups of %(count)s people were sent again; a failure shows here.",
                count,
            )
            % {"count": count},
        )
