"""Per-object scoping of the Django admin to the stewards a user administers."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404

from meetcoop.core.roles import is_coop_admin

from .selectors import stewards_visible_to


class StewardScopedListFilter(admin.RelatedFieldListFilter):
    """A steward list filter that offers only the stewards the user may see."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to={"pk__in": stewards_visible_to(request.user).values("pk")},
        )


class StewardScopedAdminMixin:
    """Filter an admin to the rows of the stewards the user administers.

    ``steward_lookup`` is the ORM path from the model to its steward ("steward",
    "membership__steward", ...). Lists, detail pages (another steward's id gives 404, since
    ``get_object`` uses this queryset), actions, exports, search and autocomplete results,
    the steward list filter and foreign-key dropdowns all go through this class.
    """

    steward_lookup = "steward"

    def _scope(self, request, qs):
        if is_coop_admin(request.user):
            return qs
        return qs.filter(**{f"{self.steward_lookup}__in": stewards_visible_to(request.user)})

    def get_queryset(self, request):
        return self._scope(request, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return self._scope(request, queryset), may_have_duplicates

    def get_list_filter(self, request):
        return [
            (item, StewardScopedListFilter) if item == self.steward_lookup else item
            for item in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from .models import Steward

        if db_field.related_model is Steward and not is_coop_admin(request.user):
            kwargs["queryset"] = stewards_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _ensure_visible(self, request, object_id):
        """Another steward's row answers 404 (not a redirect, not 403): nothing leaks."""
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
