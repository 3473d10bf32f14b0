"""Admin helpers shared by every app: read-only rows, another steward's row as a 404, and
the scoping of an admin to the stewards a user administers.

Stewards are the co-op's boundary between admins: a steward's admin sees the rows of its own
steward(s) only. The scoping reads the relation by name (``<steward_lookup>__admins``), so it
serves every app without importing the one that defines stewards.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .forms import add_service_error
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


class NoBulkDeleteMixin:
    """The changelist never offers "Delete selected": the rows here are kept. A row that may
    still go (a draft, say) is deleted from its own page, where ``has_delete_permission``
    sees it."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ServiceFormMixin:
    """The add form, and the change form when the admin defines ``change_via_service``, call
    a service instead of saving the model.

    The form validates its fields, then runs ``add_via_service(request, data)`` (or
    ``change_via_service(request, obj, data)``) with the cleaned data. The service's
    ``DomainError`` (any ``ValidationError``) is shown on the form by ``add_service_error``:
    each message on its field, nothing typed is lost, nothing is saved. The row the service
    wrote is the one the admin then shows. A refusal that is a missing right
    (``PermissionDenied``) is shown on ``service_error_field``.
    """

    service_error_field = None
    change_via_service = None

    def add_via_service(self, request, data):
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and self.change_via_service is None:
            return form
        model_admin = self

        class ServiceForm(form):
            def _post_clean(self):
                # The model's own validation would want what the service computes: the
                # service validates (``full_clean``) what it writes.
                if self.errors:
                    return
                try:
                    if obj is None:
                        self.saved_obj = model_admin.add_via_service(request, self.cleaned_data)
                    else:
                        self.saved_obj = model_admin.change_via_service(
                            request, obj, self.cleaned_data
                        )
                except ValidationError as error:
                    add_service_error(self, error)
                except PermissionDenied as error:
                    self.add_error(model_admin.service_error_field, str(error))

        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = getattr(form, "saved_obj", None)
        if saved is None:
            if change and self.change_via_service is None:
                super().save_model(request, obj, form, change)
                return
            raise PermissionDenied
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        if getattr(form, "saved_obj", None) is None:
            super().save_related(request, form, formsets, change)
            return
        # The service wrote the row; the inlines of these admins only show related rows.
        for formset in formsets:
            if any(inline_form.has_changed() for inline_form in formset.forms):
                raise PermissionDenied
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ServiceDeleteMixin:
    """The delete page calls ``delete_via_service(request, obj)``. A refusal that arrives
    after the page was shown (the row changed meanwhile) answers 403 with its reason."""

    def delete_via_service(self, request, obj):
        raise NotImplementedError

    def delete_model(self, request, obj):
        try:
            self.delete_via_service(request, obj)
        except DomainError as error:
            raise PermissionDenied(str(error)) from error


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


class OccurringChoicesListFilter(admin.ChoicesFieldListFilter):
    """A choices filter that offers only the values occurring in the rows this admin shows
    (its scoped queryset), by name, read in one query: the few countries applicants come
    from, not all 250."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        names = dict(field.flatchoices)
        values = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list(field_path, flat=True)
            .distinct()
        )
        self.occurring = sorted(
            ((value, names.get(value, value)) for value in values if value not in (None, "")),
            key=lambda choice: str(choice[1]),
        )

    def has_output(self):
        return len(self.occurring) > 1 or self.lookup_val is not None

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": models.Count(pk_attname, filter=models.Q((self.lookup_kwarg, value)))
            for i, (value, _title) in enumerate(self.occurring)
        }

    def choices(self, changelist):
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(
                remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]
            ),
            "display": _("All"),
        }
        for i, (value, title) in enumerate(self.occurring):
            yield {
                "selected": self.lookup_val is not None and str(value) in self.lookup_val,
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg: value}, [self.lookup_kwarg_isnull]
                ),
                "display": f"{title} ({counts[f'{i}__c']})" if counts else title,
            }


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
