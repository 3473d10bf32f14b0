"""Every write made in the Django admin leaves an audit entry, for every model, in one place.

``AuditedAdminSite.register()`` puts ``AdminAuditMixin`` in front of each ModelAdmin that any
app registers (``@admin.register``, ``admin.site.register``), so no app's ``admin.py`` has to
remember it. The site is the default one through ``meetcoop.core.apps.AuditedAdminConfig``,
which replaces ``django.contrib.admin`` in ``INSTALLED_APPS``.

Why the admin site and not ``post_save``/``pre_delete`` signals limited to admin requests:
the admin knows what a signal can't. It has the form, so it knows which fields the person
changed and what they were when the page was loaded, and it knows whether a service did the
write (``ServiceFormMixin``, ``ServiceDeleteMixin``), which audits it already with its own
code. A signal would need the request in a thread-local, would fire for every row a service
or a cascade writes, and could only guess the old values with an extra query per row.

Entries: ``admin.<app>.<model>.added`` / ``.changed`` with ``{"fields": {name: {"from",
"to"}}}`` (an addition: ``{name: value}``), ``.deleted`` with the row's values. Values are
made JSON-safe (dates as ISO text, Decimals as text, rows as their id); a password, secret or
token is never written, only that it was set.
"""

import datetime
import decimal
import uuid

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.urls import NoReverseMatch, path
from django.utils.functional import Promise

from .audit import audit_log, audit_log_many

HIDDEN = "(set)"
_SECRET_WORDS = ("password", "secret", "token")
_encoder = DjangoJSONEncoder()


def json_safe(value):
    """``value`` as something ``json.dumps`` writes and reads back as it was meant: a row as
    its id, a queryset or list as a list, a date as ISO text, a Decimal as text."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, models.Model):
        return json_safe(value.pk)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    if isinstance(
        value,
        datetime.date | datetime.time | datetime.timedelta | decimal.Decimal | uuid.UUID | Promise,
    ):
        return _encoder.default(value)
    return str(value)


def _is_secret(name: str) -> bool:
    return any(word in name.lower() for word in _SECRET_WORDS)


def _value(name: str, value):
    return HIDDEN if _is_secret(name) else json_safe(value)


def form_changes(form, *, adding: bool) -> dict:
    """What the person changed on ``form``: ``{name: {"from": old, "to": new}}``, the old
    value as the page loaded it (``form.initial``); for an addition ``{name: value}``."""
    if adding:
        return {name: _value(name, form.cleaned_data.get(name)) for name in form.changed_data}
    return {
        name: {
            "from": _value(name, form.initial.get(name)),
            "to": _value(name, form.cleaned_data.get(name)),
        }
        for name in form.changed_data
    }


def row_values(obj) -> dict:
    """Every column of ``obj`` (foreign keys as ids), JSON-safe, secrets hidden."""
    return {
        field.attname: _value(field.attname, field.value_from_object(obj))
        for field in obj._meta.concrete_fields
    }


def _action(model, verb: str) -> str:
    return f"admin.{model._meta.app_label}.{model._meta.model_name}.{verb}"


class AdminAuditMixin:
    """Audits the admin's own writes: the add and change forms, their inlines, the delete
    page and "Delete selected". A write a service made (the form's ``saved_obj``, or the
    delete of a ``ServiceDeleteMixin`` admin) is audited by the service, not here."""

    def _service_wrote(self, form) -> bool:
        return getattr(form, "saved_obj", None) is not None

    def save_model(self, request, obj, form, change):
        if self._service_wrote(form):
            super().save_model(request, obj, form, change)
            return
        fields = form_changes(form, adding=not change)
        super().save_model(request, obj, form, change)
        if fields or not change:
            audit_log(
                actor=request.user,
                action=_action(type(obj), "changed" if change else "added"),
                obj=obj,
                data={"fields": fields},
            )

    def save_formset(self, request, form, formset, change):
        model = formset.model
        changed = {
            id(f.instance): form_changes(f, adding=False)
            for f in formset.initial_forms
            if f.instance.pk is not None and f.has_changed()
        }
        added = {id(f.instance): form_changes(f, adding=True) for f in formset.extra_forms}
        deleted = [
            (f.instance, row_values(f.instance))
            for f in getattr(formset, "deleted_forms", [])
            if f.instance.pk is not None
        ]
        for obj, values in deleted:
            audit_log(
                actor=request.user,
                action=_action(model, "deleted"),
                obj=obj,
                data={"fields": values, "parent": json_safe(form.instance.pk)},
            )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_log(
                actor=request.user,
                action=_action(model, "added"),
                obj=obj,
                data={"fields": added.get(id(obj), {}), "parent": json_safe(form.instance.pk)},
            )
        for obj, _names in formset.changed_objects:
            audit_log(
                actor=request.user,
                action=_action(model, "changed"),
                obj=obj,
                data={"fields": changed.get(id(obj), {}), "parent": json_safe(form.instance.pk)},
            )

    def delete_model(self, request, obj):
        from .admin import ServiceDeleteMixin

        if not isinstance(self, ServiceDeleteMixin):
            # Before the delete, in its transaction (the delete page's): the entry names the
            # row while it still has its id, and goes if the delete is refused.
            audit_log(
                actor=request.user,
                action=_action(type(obj), "deleted"),
                obj=obj,
                data={"fields": row_values(obj)},
            )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            audit_log_many(
                actor=request.user,
                action=_action(queryset.model, "deleted"),
                objects=queryset,
                data=lambda obj: {"fields": row_values(obj)},
            )
            super().delete_queryset(request, queryset)


class _DateDrillDownChangeList(ChangeList):
    """Django's date hierarchy builds ``datetime(year, month, day)`` from the query string and
    turns a ``ValueError`` into a bad request, but not the ``OverflowError`` of a year past a
    C long (``?effective_from__year=99999999999999999999``): a 500. Here it is a bad request
    too, which the admin answers with its own "incorrect lookup" page."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


class DateDrillDownGuardMixin:
    def get_changelist(self, request, **kwargs):
        return _DateDrillDownChangeList


class AuditedAdminSite(admin.AdminSite):
    """The admin site whose every ModelAdmin audits the writes it makes itself, and answers a
    date drill-down past any date with a bad request, not a 500. Its "view on site" redirect
    answers only for a row the person may see here (``view_on_site``)."""

    def get_urls(self):
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    str(pattern.pattern), self.admin_view(self.view_on_site), name="view_on_site"
                )
        return urls

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "view on site" redirect (``contenttypes.views.shortcut``), which checks
        only that the person is staff, for the rows they may open in this admin: the model's
        admin must let them view it and its (scoped) queryset must hold the row; anything
        else, like a row whose page can't be named (an OAuth client), is a 404."""
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.contenttypes.views import shortcut

        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ContentType.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        try:
            return shortcut(request, content_type_id, object_id)
        except NoReverseMatch:
            raise Http404 from None

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        missing = tuple(
            mixin
            for mixin in (AdminAuditMixin, DateDrillDownGuardMixin)
            if not issubclass(admin_class, mixin)
        )
        if missing:
            admin_class = type(
                admin_class.__name__,
                (*missing, admin_class),
                {
                    "__module__": admin_class.__module__,
                    "__qualname__": admin_class.__qualname__,
                    "__doc__": admin_class.__doc__,
                },
            )
        return super().register(model_or_iterable, admin_class, **options)
