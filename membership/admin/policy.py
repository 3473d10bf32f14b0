"""The policy, service levels, terms versions and acceptances: rows people are bound by
once they take effect."""

from django.contrib import admin
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from meetcoop.core.admin import (
    NoBulkDeleteMixin,
    ReadOnlyAdminMixin,
    ServiceDeleteMixin,
    ServiceFormMixin,
    StewardScopedLookupsMixin,
)

from .. import services
from ..models import (
    Policy,
    ServiceLevel,
    TermsAcceptance,
    TermsVersion,
)


class FrozenOnceInForceMixin:
    """A row that people are bound by once it takes effect (a policy, a published terms
    version) is read-only and can't be deleted from then on; ``in_force(obj)`` says when."""

    def in_force(self, obj) -> bool:
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.in_force(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.in_force(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Policy)
class PolicyAdmin(
    FrozenOnceInForceMixin,
    ServiceFormMixin,
    ServiceDeleteMixin,
    NoBulkDeleteMixin,
    admin.ModelAdmin,
):
    """Policies are added, corrected (before they are in force) and withdrawn through the
    services, which refuse a start in the past and write the audit log. A policy in force is
    read-only here: a change is a newer policy."""

    list_display = [
        "effective_from",
        "commitment_money",
        "currency",
        "commitment_hours",
        "hour_value",
        "attendance_minimum_percent",
        "participation_rule",
        "revenue_share_percent",
        "dues_grace_days",
        "reseller_report_grace_days",
        "dues_reminder_days_before_due",
        "dues_reminder_days_before_grace_end",
        "register_retention_years",
    ]
    date_hierarchy = "effective_from"
    readonly_fields = ["created_at", "created_by"]

    @admin.display(description=_("hour value"))
    def hour_value(self, obj):
        return obj.hour_value

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A period's bound (``MAX_POLICY_DAYS``, ``MAX_POLICY_YEARS``) is checked by the form
        # too, and shown to the browser (``max``); the service checks it again.
        for validator in db_field.validators:
            if isinstance(validator, MaxValueValidator):
                kwargs.setdefault("max_value", validator.limit_value)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def in_force(self, obj) -> bool:
        # A policy in force binds people already: change it by adding a newer one.
        return obj.effective_from <= timezone.localdate()

    def add_via_service(self, request, data):
        return services.policy_create(actor=request.user, **data)

    def change_via_service(self, request, obj, data):
        return services.policy_update(policy=obj, actor=request.user, **data)

    def delete_via_service(self, request, obj):
        services.policy_delete(policy=obj, actor=request.user)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(StewardScopedLookupsMixin, TranslationAdmin):
    """Levels are the co-op's, seen by every steward's admin; a lookup through their
    memberships, offers or applications finds only the admin's stewards' rows."""

    list_display = ["name", "code", "channel", "minimum_amount", "currency", "period", "position"]
    list_filter = ["channel", "period", "currency"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(TermsVersion)
class TermsVersionAdmin(
    FrozenOnceInForceMixin,
    ServiceFormMixin,
    ServiceDeleteMixin,
    NoBulkDeleteMixin,
    admin.ModelAdmin,
):
    """Versions are added, corrected and withdrawn through the services (audited). Once
    published (``published_at`` has come) members are asked to accept a version: it is
    read-only here and never deleted; a change is a new version."""

    list_display = ["document", "version", "published_at"]
    list_filter = ["document"]
    search_fields = ["version", "text"]
    date_hierarchy = "published_at"
    fields = ["document", "version", "text", "published_at"]

    def in_force(self, obj) -> bool:
        return obj.published_at <= timezone.now()

    def add_via_service(self, request, data):
        return services.terms_version_create(actor=request.user, **data)

    def change_via_service(self, request, obj, data):
        return services.terms_version_update(terms_version=obj, actor=request.user, **data)

    def delete_via_service(self, request, obj):
        services.terms_version_delete(terms_version=obj, actor=request.user)


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Acceptances come from members accepting (on the dashboard, or on the application
    form): the record of who accepted what is never added, changed or deleted by hand."""

    list_display = ["member", "terms_version", "accepted_at", "accepted_by"]
    list_filter = ["terms_version__document", "terms_version"]
    search_fields = ["member__name", "member__organisation_name", "member__email"]
    list_select_related = ["member", "terms_version", "accepted_by"]
    date_hierarchy = "accepted_at"
