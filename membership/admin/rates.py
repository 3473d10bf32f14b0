"""Exchange rates: recorded through the service, never changed or deleted; a mistake is
corrected by recording the right rate for the same day."""

from django.contrib import admin

from meetcoop.core.admin import NoChangeMixin, ServiceFormMixin

from .. import services
from ..models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ServiceFormMixin, NoChangeMixin, admin.ModelAdmin):
    list_display = ["currency", "rate", "base", "effective_from", "source", "corrects"]
    list_filter = ["currency", "base"]
    date_hierarchy = "effective_from"
    fields = ["currency", "base", "rate", "effective_from", "source"]
    readonly_fields = ["corrects", "created_at", "created_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, *self.readonly_fields]

    def add_via_service(self, request, data):
        return services.exchange_rate_record(
            currency=data["currency"],
            base=data["base"],
            rate=data["rate"],
            effective_from=data["effective_from"],
            source=data.get("source", ""),
            actor=request.user,
        )
