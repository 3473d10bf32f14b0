from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetcoop.core.admin import (
    HiddenIsNotFoundMixin,
    ReadOnlyAdminMixin,
    StewardScopedAdminMixin,
    message_domain_error,
)
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_coop_admin

from .models import (
    Member,
    MemberContact,
    Membership,
    Policy,
    ServiceLevel,
    StatusChange,
    StatusNotice,
    StatusRun,
    TermsAcceptance,
    TermsVersion,
)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "commitment_money",
        "currency",
        "commitment_hours",
        "hour_value",
        "attendance_minimum_percent",
        "revenue_share_percent",
        "dues_grace_days",
    ]
    date_hierarchy = "effective_from"
    readonly_fields = ["created_at", "created_by"]

    @admin.display(description=_("hour value"))
    def hour_value(self, obj):
        return obj.hour_value

    def has_change_permission(self, request, obj=None):
        # A policy in force binds people already: change it by adding a newer one.
        if obj is not None and obj.effective_from <= timezone.localdate():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.effective_from <= timezone.localdate():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "channel", "minimum_amount", "currency", "period", "position"]
    list_filter = ["channel", "period", "currency"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class MemberContactInline(admin.TabularInline):
    model = MemberContact
    extra = 0
    autocomplete_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["type", "status", "steward", "service_level", "applied_on", "admitted_on"]
    # As on the membership's own page: a status changes only through the actions (with a
    # reason, recorded and emailed) or the nightly job.
    readonly_fields = ["status"]
    show_change_link = True

    def get_queryset(self, request):
        """A steward's admin sees, on a member's page, only the memberships of its stewards
        (the member may also hold one with another steward: not theirs to see)."""
        qs = super().get_queryset(request)
        if is_coop_admin(request.user):
            return qs
        return qs.filter(steward__admins=request.user)


@admin.register(Member)
class MemberAdmin(HiddenIsNotFoundMixin, admin.ModelAdmin):
    list_display = ["display_name", "kind", "email", "country", "language", "created_at"]
    list_filter = ["kind", "language", "memberships__type", "memberships__status"]
    search_fields = ["name", "organisation_name", "email", "contact_links__user__email"]
    inlines = [MemberContactInline, MembershipInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_coop_admin(request.user):
            return qs
        return qs.filter(memberships__steward__admins=request.user).distinct()

    @admin.display(description=_("name"), ordering="name")
    def display_name(self, obj):
        return obj.display_name


@admin.register(Membership)
class MembershipAdmin(StewardScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "member",
        "type",
        "status",
        "steward",
        "service_level",
        "applied_on",
        "admitted_on",
        "status_changed_at",
    ]
    list_filter = ["type", "status", "steward", "service_level"]
    search_fields = ["member__name", "member__organisation_name", "member__email"]
    list_select_related = ["member", "steward", "service_level"]
    autocomplete_fields = ["member"]
    date_hierarchy = "created_at"
    # A status changes only through the actions below (with a reason, recorded and emailed)
    # or the nightly job, never by editing the field; the end date comes with "End".
    readonly_fields = ["status", "status_changed_at", "ended_on"]
    actions = ["suspend_selected", "end_selected", "reinstate_selected"]

    def _set_status_with_reason(self, request, queryset, *, status, action, title, intro):
        """Ask for the reason on an intermediate page, then set the status of each."""
        from django.contrib.admin import helpers
        from django.template.response import TemplateResponse

        from .services import membership_status_set

        form = StatusReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed = 0
            for membership in queryset:
                try:
                    if membership_status_set(
                        membership=membership,
                        status=status,
                        actor=request.user,
                        note=form.cleaned_data["reason"],
                    ):
                        changed += 1
                except DomainError as error:
                    message_domain_error(self, request, error, about=membership)
            self.message_user(
                request,
                ngettext(
                    "%(count)s membership changed; its member is told why by email.",
                    "%(count)s memberships changed; each member is told why by email.",
                    changed,
                )
                % {"count": changed},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "items": [f"{m} · {m.get_status_display()}" for m in queryset],
            "submit_label": title,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/action_with_reason.html", context)

    @admin.action(description=_("Suspend the selected memberships (Fair Use breach)…"))
    def suspend_selected(self, request, queryset):
        return self._set_status_with_reason(
            request,
            queryset,
            status="suspended",
            action="suspend_selected",
            title=_("Suspend memberships"),
            intro=_("A suspended membership keeps its history; the nightly job leaves it alone."),
        )

    @admin.action(description=_("End the selected memberships (resigned or expelled)…"))
    def end_selected(self, request, queryset):
        return self._set_status_with_reason(
            request,
            queryset,
            status="ended",
            action="end_selected",
            title=_("End memberships"),
            intro=_("An ended membership can't change again; the member may apply anew."),
        )

    @admin.action(description=_("Reinstate the selected memberships (active again)…"))
    def reinstate_selected(self, request, queryset):
        return self._set_status_with_reason(
            request,
            queryset,
            status="active",
            action="reinstate_selected",
            title=_("Reinstate memberships"),
            intro=_("The nightly job checks the rules again from the next night on."),
        )


class StatusReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (sent to each member, in words they understand)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "version", "published_at"]
    list_filter = ["document"]
    search_fields = ["version", "text"]
    date_hierarchy = "published_at"


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["member", "terms_version", "accepted_at", "accepted_by"]
    list_filter = ["terms_version__document", "terms_version"]
    search_fields = ["member__name", "member__organisation_name", "member__email"]
    list_select_related = ["member", "terms_version", "accepted_by"]
    autocomplete_fields = ["member"]
    date_hierarchy = "accepted_at"

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StatusRun)
class StatusRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every run of the status recompute: a job that silently stopped shows here."""

    list_display = [
        "started_at",
        "on",
        "source",
        "state",
        "dry_run",
        "evaluated",
        "became_active",
        "lapsed",
        "unchanged",
        "seconds",
    ]
    list_filter = ["state", "source", "dry_run"]
    date_hierarchy = "started_at"


@admin.register(StatusChange)
class StatusChangeAdmin(StewardScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    steward_lookup = "membership__steward"
    list_display = [
        "changed_at",
        "membership",
        "old_status",
        "new_status",
        "effective_on",
        "source",
        "actor",
        "reason_summary",
    ]
    list_filter = ["new_status", "old_status", "source", "membership__type"]
    search_fields = ["membership__member__name", "membership__member__email"]
    list_select_related = ["membership__member", "actor"]
    date_hierarchy = "changed_at"

    @admin.display(description=_("why"))
    def reason_summary(self, obj):
        from .reasons import reason_text

        failing = [r for r in obj.reasons if not r.get("ok", True)] or obj.reasons
        return " ".join(reason_text(r) for r in failing) or obj.note


@admin.register(StatusNotice)
class StatusNoticeAdmin(StewardScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    steward_lookup = "membership__steward"
    list_display = ["created_at", "membership", "kind", "cause", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["membership__member__name", "membership__member__email", "cause"]
    list_select_related = ["membership__member"]
