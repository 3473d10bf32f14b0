"""Per-object scoping of the Django admin to the stewards a user administers."""

from meetcoop.core.roles import is_coop_admin

from .selectors import stewards_visible_to


class StewardScopedAdminMixin:
    """Filter an admin to the rows of the stewards the user administers.

    ``steward_lookup`` is the ORM path from the model to its steward ("steward",
    "membership__steward", ...). Lists, detail pages (another steward's id gives 404, since
    ``get_object`` uses this queryset), actions, exports and foreign-key dropdowns all go
    through ``get_queryset`` / ``formfield_for_foreignkey``.
    """

    steward_lookup = "steward"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_coop_admin(request.user):
            return qs
        return qs.filter(**{f"{self.steward_lookup}__in": stewards_visible_to(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from .models import Steward

        if db_field.related_model is Steward and not is_coop_admin(request.user):
            kwargs["queryset"] = stewards_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
