"""List filters of the applications admin: a status filter that opens on what waits for a
decision, and a level filter that offers only the levels of the stewards the admin sees."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Application, StewardOffer
from ..selectors import stewards_visible_to

WAITING = "waiting"
ALL = "all"


class ApplicationStatusFilter(admin.SimpleListFilter):
    """Opens on the applications that wait for a decision (``Application.OPEN``: pending, on
    the waiting list, or awaiting the assembly's vote); "All" and each status stay one click
    away. The default is applied without a redirect, so ``/admin/resellers/application/``
    itself is the queue; actions posted to it act on the rows it shows."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (ALL, _("All")),
            (WAITING, _("Waiting for a decision")),
            *Application.Status.choices,
        ]

    def value(self):
        """The chosen value, or the default when none (or an unknown one) is given."""
        value = super().value()
        return value if value in {lookup for lookup, _title in self.lookup_choices} else WAITING

    def queryset(self, request, queryset):
        value = self.value()
        if value == ALL:
            return queryset
        if value == WAITING:
            return queryset.filter(status__in=Application.OPEN)
        return queryset.filter(status=value)

    def choices(self, changelist):
        # No separate "All" that drops the parameter: dropping it means the default.
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        for index, (lookup, title) in enumerate(self.lookup_choices):
            if counts is not None:
                title = f"{title} ({counts.get(f'{index}__c', '-')})"
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class OfferedLevelListFilter(admin.RelatedFieldListFilter):
    """Only the levels that the stewards this admin sees offer (not every level of the co-op),
    and "none (operational)" for applications without a level."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = _("none (operational)")

    def field_choices(self, field, request, model_admin):
        offered = StewardOffer.objects.filter(steward__in=stewards_visible_to(request.user)).values(
            "service_level_id"
        )
        return field.get_choices(
            include_blank=False,
            ordering=("position", "code"),
            limit_choices_to={"pk__in": offered},
        )
