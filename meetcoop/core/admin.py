"""Admin helpers shared by every app: read-only rows, another steward's row as a 404, and
the scoping of an admin to the stewards a user administers.

Stewards are the co-op's boundary between admins: a steward's admin sees the rows of its own
steward(s) only. The scoping reads the relation by name (``<steward_lookup>__admins``), so it
serves every app without importing the one that defines stewards.
"""

import functools

from django.contrib import admin, messages
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.forms.formsets import TOTAL_FORM_COUNT
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin

from .errors import DomainError
from .forms import add_service_error
from .models import AuditEntry
from .roles import is_coop_admin
from .scoping import models_read_through, scope_related_lookups


class ReadOnlyAdminMixin:
    """The admin shows these rows and never offers to add, change or delete them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoChangeMixin:
    """Rows are added through a service and never changed or deleted afterwards."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChangedByActionsMixin:
    """Rows that are shown, never added, deleted or saved from their form: each change is an
    admin action calling a service (decide an application, decide a concern). The change
    permission stays, for the actions; the change page shows no Save button and saving it
    writes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Never save from the change form (its fields are read-only; changes are actions)."""


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
    """A steward list filter that offers the stewards whose rows the admin shows the user:
    every steward to whom the admin shows every steward's rows (a treasurer on the dues), the
    user's own to a steward's admin.

    A steward chosen in the URL always applies, even when the filter has too few choices to
    be shown: the list is never left unfiltered while the URL says otherwise."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        sees_every_steward = getattr(model_admin, "sees_every_steward", None)
        every = (
            sees_every_steward(request)
            if sees_every_steward is not None
            else is_coop_admin(request.user)
        )
        limit = {} if every else {"admins": request.user}
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)

    def has_output(self):
        return super().has_output() or bool(self.lookup_val) or self.lookup_val_isnull is not None


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


class StewardScopedLookupsMixin:
    """Lookups through a to-many relation into steward-scoped rows consider only the rows of
    the user's stewards: list filters, raw lookups in the URL (``_changelist_filters``
    included), search, actions, autocomplete and the counts beside the filters.

    A steward-scoped model is one whose admin uses :class:`StewardScopedAdminMixin`. An admin
    whose own rows belong to no steward but that a steward's admin may open (service levels)
    uses this mixin alone: ``?memberships__id__exact=<id>`` then finds only their own rows.
    """

    def sees_every_steward(self, request) -> bool:
        """Who sees every steward's rows here: co-op admins (subclasses may widen it)."""
        return is_coop_admin(request.user)

    def steward_rows(self, request, model):
        """The rows of ``model`` that belong to the stewards ``request.user`` administers, or
        None when ``model``'s rows belong to no steward."""
        related = self.admin_site._registry.get(model)
        if not isinstance(related, StewardScopedAdminMixin):
            return None
        if not getattr(request.user, "is_authenticated", False):
            return model._default_manager.none()
        return model._default_manager.filter(**{f"{related.steward_lookup}__admins": request.user})

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.sees_every_steward(request):
            return qs
        return scope_related_lookups(qs, functools.partial(self.steward_rows, request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A foreign key into steward-scoped rows (a payment's invoice) offers and accepts
        only the rows the user sees in that model's own admin: another steward's id is "not
        one of the available choices", exactly as an id that does not exist."""
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _scope_choices(self, db_field, request, kwargs) -> None:
        related = self.admin_site._registry.get(db_field.related_model)
        if not isinstance(related, StewardScopedAdminMixin) or related.sees_every_steward(request):
            return
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
        if queryset is None:
            queryset = db_field.related_model._default_manager.using(kwargs.get("using"))
        # A subquery: a member with two memberships at the user's stewards is one choice.
        kwargs["queryset"] = queryset.filter(pk__in=related.get_queryset(request).values("pk"))

    def lookup_allowed(self, lookup, value, request=None):
        """A lookup in the URL that reads another model's rows (``?erasure_requests__isnull=
        False``, ``?ledger_entries__id__gte=3``) is refused (400) unless the user may view that
        model's admin: whose rows a list may be filtered by follows who may read them. The
        paths of this admin's own list filters and date hierarchy stay allowed."""
        if request is not None and not self._declared_lookup(request, lookup):
            for model in models_read_through(self.model, lookup):
                related = self.admin_site._registry.get(model)
                if related is None or not related.has_view_permission(request):
                    return False
        return super().lookup_allowed(lookup, value, request)

    def _declared_lookup(self, request, lookup: str) -> bool:
        """Whether ``lookup`` is one of this admin's list filters or its date hierarchy."""
        paths = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.get_list_filter(request):
            if isinstance(item, type):
                paths.add(getattr(item, "parameter_name", None))
            elif isinstance(item, (list, tuple)):
                paths.add(item[0])
            else:
                paths.add(item)
        paths.discard(None)
        return any(lookup == path or lookup.startswith(f"{path}__") for path in paths)


class SafeAutocompleteMixin:
    """Autocomplete fields whose widget shows a value sent back with errors only when it could
    be a key (Django's looks up whatever was typed: ``invoice=abc`` was a 500)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class StewardScopedAdminMixin(
    StewardScopedLookupsMixin, SafeAutocompleteMixin, HiddenIsNotFoundMixin
):
    """Filter an admin to the rows of the stewards the user administers.

    ``steward_lookup`` is the ORM path from the model to its steward ("steward",
    "membership__steward", "memberships__steward" for members). Lists, detail pages (another
    steward's id gives 404, since ``get_object`` uses this queryset), actions, exports, search
    and autocomplete results, the steward list filters and foreign-key dropdowns all go through
    this class; so do lookups through to-many relations (:class:`StewardScopedLookupsMixin`).
    """

    steward_lookup = "steward"

    def scope(self, request, qs):
        """``qs`` narrowed to the rows of the stewards ``request.user`` administers."""
        if self.sees_every_steward(request):
            return qs
        if not getattr(request.user, "is_authenticated", False):
            return qs.none()
        # Through a to-many relation (a member's memberships) the scoped queryset turns this
        # into a subquery: no duplicate rows, no DISTINCT.
        return qs.filter(**{f"{self.steward_lookup}__admins": request.user})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return self.scope(request, queryset), may_have_duplicates

    def get_list_filter(self, request):
        """A list filter on a steward (``steward``, ``memberships__steward``) offers only the
        user's stewards."""
        steward_model = get_fields_from_path(self.model, self.steward_lookup)[-1].related_model
        return [
            (item, StewardScopedListFilter)
            if isinstance(item, str) and _leads_to(self.model, item, steward_model)
            else item
            for item in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "steward" and not self.sees_every_steward(request):
            kwargs["queryset"] = db_field.related_model.objects.filter(admins=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BoundedInlineFormSet(BaseInlineFormSet):
    """An inline formset that takes, from a posted form, at most the rows it holds plus
    ``max_new_rows``, whatever its management form says.

    Django's own bound is ``max_num`` + 1,000 forms (2,000 unless ``max_num`` is set), and it
    builds and checks that many before refusing: a forged ``offers-TOTAL_FORMS=100000`` held
    the steward's page for 15 s. Here a count past the bound builds no form at all; the
    formset answers "Please submit at most … forms" and nothing is saved. Counting the rows
    costs no query: the formset reads them anyway, once. Every admin inline uses it
    (``formset = BoundedInlineFormSet``); ``tests/core/test_bad_input.py`` checks.
    """

    max_new_rows = 50

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            rows = len(self.get_queryset())
            self.absolute_max = min(self.absolute_max, rows + self.max_new_rows)
            self.max_num = min(self.max_num, self.absolute_max)  # the number the error names

    def total_form_count(self):
        if self.is_bound and self.management_form.cleaned_data[TOTAL_FORM_COUNT] > (
            self.absolute_max
        ):
            return 0  # refused whole by full_clean ("Please submit at most … forms")
        return super().total_form_count()


def _leads_to(model, path: str, target) -> bool:
    try:
        field = get_fields_from_path(model, path)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return False
    return field.is_relation and field.related_model is target


class _KeysOnlyAutocompleteMixin:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", opts.pk.attname))
        keys = []
        for item in value:
            try:
                target.run_validators(target.to_python(item))
            except (ValidationError, TypeError, ValueError):
                continue
            keys.append(item)
        return super().optgroups(name, keys, attr)


class SafeAutocompleteSelect(_KeysOnlyAutocompleteMixin, AutocompleteSelect):
    """Django's autocomplete select, which skips a value that can't be a key of its model."""


class SafeAutocompleteSelectMultiple(_KeysOnlyAutocompleteMixin, AutocompleteSelectMultiple):
    """Django's autocomplete multiple select, which skips values that can't be keys."""


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An entry stores ids only; the object's name is read from its row when shown (an erased
    member's row shows its pseudonym; a deleted row shows what the entry stored)."""

    list_display = ["created_at", "actor", "action", "object_shown"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "object_repr", "object_id", "actor__email"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = [
        "created_at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_shown",
        "data",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        # The objects named in a page are read once per kind of object, not once per row.
        return super().get_queryset(request).prefetch_related("object")

    @admin.display(description=_("object"))
    def object_shown(self, entry):
        try:
            obj = entry.object
        except Exception:  # a model that no longer exists
            obj = None
        return str(obj) if obj is not None else entry.object_repr


# --- django-celery-beat's schedules ------------------------------------------------------------


class PeriodicTaskInline(beat_admin.PeriodicTaskInline):
    """The tasks on a schedule's page. Each row's title names its schedule: read with the rows
    (``select_related``), not one query per row."""

    formset = BoundedInlineFormSet

    def get_queryset(self, request):
        schedules = ["interval", "crontab", "solar", "clocked"]
        return super().get_queryset(request).select_related(*schedules)


for _model, _model_admin in list(admin.site._registry.items()):
    if isinstance(_model_admin, beat_admin.ScheduleAdmin):

        class _ScheduleAdmin(type(_model_admin)):
            inlines = [PeriodicTaskInline]

        admin.site.unregister(_model)
        admin.site.register(_model, _ScheduleAdmin)
