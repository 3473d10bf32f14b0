"""Lookups through a to-many relation that consider only the rows a user may see.

A steward's admin sees a member because the member holds a membership at one of its stewards.
Filtering that list by ``memberships__status="suspended"`` would still match through *any* of
the member's memberships, another steward's included: the list would tell the admin that the
member is suspended elsewhere. The same goes for a search, a raw lookup in the URL
(``?memberships__id__exact=<another steward's id>``) and the counts beside the filters.

:func:`scope_related_lookups` returns a queryset in which every lookup that crosses such a
relation (``filter``, ``exclude``, ``complex_filter``, and the ``filter=`` of aggregates such
as the admin's facet counts) is rewritten to go through the visible related rows only:

    memberships__status="suspended"
      → pk IN (members with a membership IN (visible memberships with status "suspended"))

Lookups in one ``filter()`` call through the same relation stay on the same related row, as
Django's do. What it does not rewrite (ordering, ``values()``, ``dates()`` over such a
relation) must not be used by a scoped admin; ``tests/core/test_admin_scoping_guard.py``
checks every admin for it.
"""

import functools

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP


def to_many_hop(model, key: str, visible_rows):
    """Where the lookup ``key`` on ``model`` first crosses a to-many relation into rows that
    ``visible_rows(related_model)`` restricts: ``(prefix, rows, rest)``, or None.

    ``visible_rows`` answers None for a model whose rows are not restricted.
    """
    parts = key.split(LOOKUP_SEP)
    opts = model._meta
    for index, part in enumerate(parts):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:  # a lookup, a transform or an annotation: no further hop
            return None
        if not field.is_relation or field.related_model is None:
            return None
        if field.one_to_many or field.many_to_many:
            rows = visible_rows(field.related_model)
            if rows is not None:
                return LOOKUP_SEP.join(parts[: index + 1]), rows, parts[index + 1 :]
        opts = field.related_model._meta
    return None


def models_read_through(model, key: str) -> list:
    """The related models whose rows the lookup ``key`` on ``model`` reads, in order.

    A foreign key of the row itself read only as its stored key (``member``,
    ``member__id__exact``, ``member__isnull``) reads no other row: the row holds that key.
    ``erasure_requests__isnull`` reads erasure requests; ``memberships__steward__id__exact``
    reads memberships (and only the key of their steward).
    """
    parts = key.split(LOOKUP_SEP)
    opts, read = model._meta, []
    for index, part in enumerate(parts):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:  # a lookup, a transform or an annotation: no further hop
            break
        if not field.is_relation or field.related_model is None:
            break
        related = field.related_model._meta
        rest = parts[index + 1 :]
        if field.concrete and not field.many_to_many and _reads_only_the_key(field, rest):
            break
        read.append(field.related_model)
        opts = related
    return read


def _reads_only_the_key(field, rest: list[str]) -> bool:
    """Whether ``rest``, after the foreign key ``field``, reads only the key it stores."""
    if not rest:
        return True
    keys = {"pk", field.target_field.name}
    if rest[0] in keys:
        return True
    try:
        field.related_model._meta.get_field(rest[0])
    except FieldDoesNotExist:
        return True  # a lookup on the key itself (exact, in, isnull)
    return False


def _inner_lookup(model, rest: list[str]) -> str:
    """The rest of a lookup, as a lookup on the related rows (``id__exact``, ``status``, or
    ``pk__in`` for ``memberships__in``)."""
    if rest and rest[0] != "pk":
        try:
            model._meta.get_field(rest[0])
        except FieldDoesNotExist:
            return LOOKUP_SEP.join(["pk", *rest])
    return LOOKUP_SEP.join(rest) or "pk"


class ScopedLookupsQuerySetMixin:
    """Mixed into a model's own QuerySet class by :func:`scope_related_lookups`."""

    _visible_rows = None  # callable(model) -> QuerySet of the visible rows, or None

    def _clone(self):
        clone = super()._clone()
        clone._visible_rows = self._visible_rows
        return clone

    def _filter_or_exclude_inplace(self, negate, args, kwargs):
        super()._filter_or_exclude_inplace(negate, (self.scope_q(Q(*args, **kwargs)),), {})

    def complex_filter(self, filter_obj):
        if isinstance(filter_obj, Q):
            filter_obj = self.scope_q(filter_obj)
        return super().complex_filter(filter_obj)

    def aggregate(self, *args, **kwargs):
        return super().aggregate(
            *(self._scope_aggregate(arg) for arg in args),
            **{name: self._scope_aggregate(value) for name, value in kwargs.items()},
        )

    def _scope_aggregate(self, aggregate):
        condition = getattr(aggregate, "filter", None)
        if not isinstance(condition, Q):
            return aggregate
        aggregate = aggregate.copy()
        aggregate.filter = self.scope_q(condition)
        return aggregate

    def scope_q(self, q: Q) -> Q:
        """``q`` with each lookup through a restricted to-many relation rewritten."""
        if self._visible_rows is None:
            return q
        children, groups = [], {}
        for child in q.children:
            if isinstance(child, Q):
                children.append(self.scope_q(child))
                continue
            hop = None
            if isinstance(child, tuple):
                hop = to_many_hop(self.model, child[0], self._visible_rows)
            if hop is None:
                children.append(child)
                continue
            prefix, rows, rest = hop
            if q.connector == Q.AND and rest != ["isnull"]:
                # One filter() call, one related row (as Django joins them): keep them together.
                groups.setdefault(prefix, (rows, []))[1].append((rest, child[1]))
            else:
                children.append(self._through(prefix, rows, [(rest, child[1])]))
        for prefix, (rows, lookups) in groups.items():
            children.append(self._through(prefix, rows, lookups))
        return Q(*children, _connector=q.connector, _negated=q.negated)

    def _through(self, prefix: str, rows, lookups) -> Q:
        if len(lookups) == 1 and lookups[0][0] == ["isnull"]:
            # "Has none": none of the visible rows (the others are not the user's to count).
            having = self.model._base_manager.filter(**{f"{prefix}__in": rows}).values("pk")
            return ~Q(pk__in=having) if lookups[0][1] else Q(pk__in=having)
        condition = Q(*((_inner_lookup(rows.model, rest), value) for rest, value in lookups))
        matching = self.model._base_manager.filter(**{f"{prefix}__in": rows.filter(condition)})
        return Q(pk__in=matching.values("pk"))


@functools.cache
def _scoped_class(base: type) -> type:
    return type(f"Scoped{base.__name__}", (ScopedLookupsQuerySetMixin, base), {})


def scope_related_lookups(queryset: QuerySet, visible_rows) -> QuerySet:
    """``queryset``, whose lookups through a to-many relation into a model for which
    ``visible_rows(model)`` returns a queryset consider only those rows."""
    base = type(queryset)
    clone = queryset._chain()
    if not issubclass(base, ScopedLookupsQuerySetMixin):
        clone.__class__ = _scoped_class(base)
    clone._visible_rows = visible_rows
    return clone
