"""Integer lookups that answer "no row" (or "every row") to a number past the column's range,
instead of failing, and years past a date's range likewise; and an ``iexact`` for email
addresses that no look-alike letter passes.

Django does this for ``exact``, ``gt``, ``gte``, ``lt`` and ``lte`` on integer fields, but not
for ``in``, nor for a foreign key's own lookups: ``?steward=10000000000000000000000000000000``
in an admin list, or such a number among a form's ``admins`` choices, ended in SQLite's
``OverflowError`` (a 500). PostgreSQL compares such a number without complaint; there these
only spare it the comparison. Registered by ``CoreConfig.ready()``.
"""

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import EmailField, ForeignObject, IntegerField, Lookup
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.functions import ExtractIsoYear, ExtractYear
from django.db.models.lookups import (
    In,
    YearExact,
    YearGt,
    YearGte,
    YearLt,
    YearLte,
)


def _range(lhs, connection) -> tuple[int | None, int | None]:
    """The range of the integer column ``lhs`` reads, or (None, None) for another column."""
    field = getattr(lhs, "output_field", None)
    if field is not None and field.is_relation:
        field = getattr(field, "target_field", None)
    if field is None:
        return None, None
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return None, None


def _outside(value, low, high) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return (low is not None and value < low) or (high is not None and value > high)


class _InRange:
    """``in``: values outside the range can't match and are left out (none left: no row)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _range(self.lhs, connection)
            if any(_outside(value, low, high) for value in self.rhs):
                self.rhs = [value for value in self.rhs if not _outside(value, low, high)]
        return super().process_rhs(compiler, connection)


class _Compared:
    """A comparison with one number: below or above the range, the answer is known."""

    below = above = EmptyResultSet

    def bounds(self, connection) -> tuple[int | None, int | None]:
        return _range(self.lhs, connection)

    def process_rhs(self, compiler, connection):
        low, high = self.bounds(connection)
        if _outside(self.rhs, low, high):
            raise self.below if low is not None and self.rhs < low else self.above
        return super().process_rhs(compiler, connection)


class IntegerIn(_InRange, In):
    pass


class RelatedInRange(_InRange, RelatedIn):
    pass


class RelatedExactInRange(_Compared, RelatedExact):
    pass


class RelatedGreaterThanInRange(_Compared, RelatedGreaterThan):
    below = FullResultSet


class RelatedGreaterThanOrEqualInRange(_Compared, RelatedGreaterThanOrEqual):
    below = FullResultSet


class RelatedLessThanInRange(_Compared, RelatedLessThan):
    above = FullResultSet


class RelatedLessThanOrEqualInRange(_Compared, RelatedLessThanOrEqual):
    above = FullResultSet


class _YearInRange(_Compared):
    """``__year`` (``exact``, ``gt``, ``gte``, ``lt``, ``lte``) with a year a date can't have:
    ``?decided_at__year=99999`` in an admin list raised ``ValueError`` when the query ran (a
    500; only the admin's date hierarchy checks its own year). Years 1 to 9999 are compared
    as before; past them the answer is known."""

    def bounds(self, connection) -> tuple[int, int]:
        return 1, 9999


class YearExactInRange(_YearInRange, YearExact):
    pass


class YearGtInRange(_YearInRange, YearGt):
    below = FullResultSet


class YearGteInRange(_YearInRange, YearGte):
    below = FullResultSet


class YearLtInRange(_YearInRange, YearLt):
    above = FullResultSet


class YearLteInRange(_YearInRange, YearLte):
    above = FullResultSet


class EmailIExact(Lookup):
    """``email__iexact``: the same address in any case, and nothing else.

    Django compares ``UPPER(a) = UPPER(b)`` on PostgreSQL, where a few letters outside ASCII
    upper-case to an ASCII one: the dotless ``ı`` to ``I``, the long ``ſ`` to ``S`` (and the
    Kelvin sign lower-cases to ``k``). So ``sam@gmaıl.com``, a domain anyone can register,
    was "the same email" as ``sam@gmail.com``: an application from it was joined to that
    member, and its confirmation link went to the look-alike. Here both foldings must agree,
    which no such letter does: ``ı`` upper-cases like ``i`` but lower-cases unlike it.
    Registered on ``EmailField`` by ``CoreConfig.ready()``, for every ``iexact`` on an email
    (ours and allauth's)."""

    lookup_name = "iexact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *rhs_params)
        return f"(UPPER({lhs}) = UPPER({rhs}) AND LOWER({lhs}) = LOWER({rhs}))", (*params, *params)


def register() -> None:
    EmailField.register_lookup(EmailIExact)
    for transform in (ExtractYear, ExtractIsoYear):
        for lookup in (
            YearExactInRange,
            YearGtInRange,
            YearGteInRange,
            YearLtInRange,
            YearLteInRange,
        ):
            transform.register_lookup(lookup)
    IntegerField.register_lookup(IntegerIn)
    for lookup in (
        RelatedInRange,
        RelatedExactInRange,
        RelatedGreaterThanInRange,
        RelatedGreaterThanOrEqualInRange,
        RelatedLessThanInRange,
        RelatedLessThanOrEqualInRange,
    ):
        ForeignObject.register_lookup(lookup)
