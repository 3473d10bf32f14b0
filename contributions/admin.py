from django.contrib import admin

from resellers.permissions import StewardScopedAdminMixin

from .models import DuesInvoice


@admin.register(DuesInvoice)
class DuesInvoiceAdmin(StewardScopedAdminMixin, admin.ModelAdmin):
    steward_lookup = "membership__steward"
    list_display = ["membership", "period_start", "period_end", "amount", "currency", "due_on"]
    list_filter = ["currency", "membership__steward"]
    search_fields = ["membership__member__name", "membership__member__email"]
    list_select_related = ["membership__member", "membership__steward"]
    date_hierarchy = "period_start"
    raw_id_fields = ["membership"]
