"""Admin helpers shared by every app: read-only rows, another steward's row as a 404, and
the scoping of an admin to the stewards a user administers.

Stewards are the co-op's boundary between admins: a steward's admin sees the rows of its own
steward(s) only. The scoping reads the relation by name (``<steward_lookup>__admins``), so it
serves every app without importing the one that defines stewards.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import AuditEntry
from .roles import is_coop_admin


class ReadOnlyAdminMixin:
    """The admin shows these rows and never offers to add, change or delete them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def message_domain_error(modeladmin, request, error, *, about=None) -> None:
    """Show a service's ``DomainError`` (any ``ValidationError``) as an admin message, the
    same way everywhere: "<row>: <reason>" when it is about one row of a batch."""
    text = " ".join(str(m) for m in getattr(error, "messages", [str(error)]))
    modeladmin.message_user(
        request, f"{about}: {text}" if about is not None else text, messages.ERROR
    )


class StewardScopedListFilter(admin.RelatedFieldListFilter):
    """A steward list filter that offers only the stewards the user may see."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        limit = {} if is_coop_admin(request.user) else {"admins": request.user}
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


class HiddenIsNotFoundMixin:
    """A row outside the admin's queryset answers 404 on its change, history and delete pages,
    exactly as an id that does not exist (Django's default redirect would say it exists)."""

    def _ensure_visible(self, request, object_id):
        """Another steward's row answers 404 (not a redirect, not 403): nothing leaks."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if object_id and self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._ensure_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)


class StewardScopedAdminMixin(HiddenIsNotFoundMixin):
    """Filter an admin to the rows of the stewards the user administers.

    ``steward_lookup`` is the ORM path from the model to its steward ("steward",
    "membership__steward", ...). Lists, detail pages (another steward's id gives 404, since
    ``get_object`` uses this queryset), actions, exports, search and autocomplete results,
    the steward list filter and foreign-key dropdowns all go through this class.
    """

    steward_lookup = "steward"

    def sees_every_steward(self, request) -> bool:
        """Who sees every steward's rows here: co-op admins (subclasses may widen it)."""
        return is_coop_admin(request.user)

    def scope(self, request, qs):
        """``qs`` narrowed to the rows of the stewards ``request.user`` administers."""
        if self.sees_every_steward(request):
            return qs
        if not getattr(request.user, "is_authenticated", False):
            return qs.none()
        return qs.filter(**{f"{self.steward_lookup}__admins": request.user})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return self.scope(request, queryset), may_have_duplicates

    def get_list_filter(self, request):
        return [
            (item, StewardScopedListFilter) if item == self.steward_lookup else item
            for item in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "steward" and not self.sees_every_steward(request):
            kwargs["queryset"] = db_field.related_model.objects.filter(admins=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "object_repr", "actor__email"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = [
        "created_at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "data",
    ]
    fields = readonly_fields
