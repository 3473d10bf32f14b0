"""Every admin a steward's admin or a treasurer may open keeps lookups through to-many
relations inside the user's stewards (meetcoop.core.scoping), whatever admin is added later.

Django lets any URL look up through one relation (``?memberships__id__exact=…``) and through
the paths of the list filters and search fields; only the scoped queryset under
``StewardScopedLookupsMixin`` keeps those to the user's stewards. Ordering, date hierarchies
and list filters that read their choices from the related rows are not rewritten, so no such
admin may use them through a to-many relation into steward-scoped rows.
"""

import pytest
from django.contrib import admin
from django.contrib.admin import (
    AllValuesFieldListFilter,
    FieldListFilter,
    RelatedFieldListFilter,
    RelatedOnlyFieldListFilter,
)
from django.core.exceptions import FieldDoesNotExist

from meetcoop.core.admin import StewardScopedAdminMixin, StewardScopedLookupsMixin
from meetcoop.core.roles import COOP_ADMINS, ROLE_PERMISSIONS


def _scoped_models() -> set:
    return {
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, StewardScopedAdminMixin)
    }


def _opened_by_other_roles(model) -> bool:
    codes = {
        code for role, codes in ROLE_PERMISSIONS.items() if role != COOP_ADMINS for code in codes
    }
    label, name = model._meta.app_label, model._meta.model_name
    return any(f"{label}.{action}_{name}" in codes for action in ("view", "change", "add"))


def _crossing(model, path: str, scoped: set):
    """The to-many field on ``path`` that leads into steward-scoped rows, or None."""
    opts = model._meta
    for part in path.split("__"):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation or field.related_model is None:
            return None
        if (field.one_to_many or field.many_to_many) and field.related_model in scoped:
            return field
        opts = field.related_model._meta
    return None


def _cases():
    scoped = _scoped_models()
    for model, model_admin in admin.site._registry.items():
        if _opened_by_other_roles(model):
            yield pytest.param(model, model_admin, scoped, id=model._meta.label)


@pytest.mark.parametrize("model, model_admin, scoped", list(_cases()))
def test_lookups_through_to_many_relations_stay_inside_the_users_stewards(
    model, model_admin, scoped
):
    to_many = [
        field.name
        for field in model._meta.get_fields()
        if (field.one_to_many or field.many_to_many) and field.related_model in scoped
    ]
    paths = [
        item if isinstance(item, str) else item[0]
        for item in model_admin.list_filter
        if isinstance(item, str | tuple | list)
    ] + [field.lstrip("^=@") for field in model_admin.search_fields]
    crossing = [path for path in paths if _crossing(model, path, scoped)]
    if to_many or crossing:
        assert isinstance(model_admin, StewardScopedLookupsMixin), (
            f"{type(model_admin).__name__} can look up through {to_many + crossing}: "
            "give it StewardScopedLookupsMixin (or StewardScopedAdminMixin)."
        )


@pytest.mark.parametrize("model, model_admin, scoped", list(_cases()))
def test_nothing_unrewritten_reads_through_to_many_relations_into_scoped_rows(
    model, model_admin, scoped
):
    """Ordering, date hierarchy and filter choices read the related rows directly."""
    ordering = [field.lstrip("-") for field in (model_admin.ordering or [])]
    for name in model_admin.list_display:
        attribute = getattr(model_admin, name, None) or getattr(model, name, None)
        order = getattr(attribute, "admin_order_field", None)
        if isinstance(order, str):
            ordering.append(order.lstrip("-"))
    for path in ordering + ([model_admin.date_hierarchy] if model_admin.date_hierarchy else []):
        assert _crossing(model, path, scoped) is None, (type(model_admin).__name__, path)
    for item in model_admin.list_filter:
        path, chosen = (item, None) if isinstance(item, str) else (item, None)
        if isinstance(item, tuple | list):
            path, chosen = item
        if not isinstance(path, str) or _crossing(model, path, scoped) is None:
            continue
        from django.contrib.admin.utils import get_fields_from_path

        field = get_fields_from_path(model, path)[-1]
        if chosen is None:
            chosen = next(c for test, c in FieldListFilter._field_list_filters if test(field))
        assert not issubclass(chosen, AllValuesFieldListFilter | RelatedOnlyFieldListFilter), (
            f"{type(model_admin).__name__}.list_filter {path}: its choices would list every "
            "steward's rows; filter on a field with fixed choices."
        )
        if issubclass(chosen, RelatedFieldListFilter):
            assert field.related_model not in scoped, (type(model_admin).__name__, path)


def test_the_member_list_is_among_the_checked_admins():
    """The guard above really looks at the admin of the reported leak."""
    from membership.models import Member

    assert Member in {case.values[0] for case in _cases()}
    assert Member in _scoped_models()
