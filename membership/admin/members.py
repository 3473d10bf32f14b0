"""Members and their memberships: added through the services; a status changes only
through the actions."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetcoop.core.admin import (
    BoundedInlineFormSet,
    NoBulkDeleteMixin,
    ReadOnlyAdminMixin,
    SafeAutocompleteSelect,
    ServiceFormMixin,
    StewardScopedAdminMixin,
    message_domain_error,
)
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_coop_admin

from .. import services
from ..models import (
    Member,
    MemberContact,
    Membership,
)
from ..rules import AT_RISK_DAYS
from ..selectors import warned_at_risk


class ChosenAutocompleteSelect(SafeAutocompleteSelect):
    """The admin's autocomplete, showing the object a row already holds (``chosen``, read
    with the rows) instead of reading it again: an inline renders one per row. Any other
    value (a form sent back with errors) is looked up as usual."""

    chosen = None

    def optgroups(self, name, value, attr=None):
        chosen = self.chosen
        values = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if chosen is None or values != [str(chosen.pk)]:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(chosen)
        options.append(self.create_option(name, chosen.pk, label, True, len(options)))
        return [(None, options, 0)]


class MemberContactForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = getattr(self.fields["user"].widget, "widget", None)  # inside the "+" wrapper
        if isinstance(widget, ChosenAutocompleteSelect) and self.instance.user_id:
            widget.chosen = self.instance.user


class MemberContactInline(admin.TabularInline):
    model = MemberContact
    formset = BoundedInlineFormSet
    form = MemberContactForm
    extra = 0
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        # The login and the row's title (login → member) with the rows, not per row.
        return super().get_queryset(request).select_related("user", "member")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["widget"] = ChosenAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The member's memberships, shown. As on the membership's own page nothing is edited
    here: a membership is added on the memberships' add page (through the service that
    issues its first invoice), and its status changes through the actions or the nightly
    job."""

    model = Membership
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["type", "status", "steward", "service_level", "applied_on", "admitted_on"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        """A steward's admin sees, on a member's page, only the memberships of its stewards
        (the member may also hold one with another steward: not theirs to see)."""
        qs = super().get_queryset(request)
        qs = qs.select_related("member", "steward", "service_level")
        if is_coop_admin(request.user):
            return qs
        return qs.filter(steward__admins=request.user)


@admin.register(Member)
class MemberAdmin(StewardScopedAdminMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """A steward's admin sees the members holding a membership at its stewards; the filters
    on memberships (type, status) and any lookup through them consider only those
    memberships, never the member's memberships at other stewards."""

    steward_lookup = "memberships__steward"
    list_display = ["display_name", "kind", "email", "country", "language", "created_at"]
    list_filter = ["kind", "language", "memberships__type", "memberships__status"]
    search_fields = ["name", "organisation_name", "email", "contact_links__user__email"]
    inlines = [MemberContactInline, MembershipInline]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        # A member's history (memberships, ledger, votes) is kept: nobody deletes a member.
        return False

    @admin.display(description=_("name"), ordering="name")
    def display_name(self, obj):
        return obj.display_name


MEMBERSHIP_ADD_FIELDS = ["member", "type", "steward", "service_level", "applied_on"]
MEMBERSHIP_FIELDS = [
    "member",
    "type",
    "status",
    "steward",
    "service_level",
    "applied_on",
    "admitted_on",
    "ended_on",
    "status_changed_at",
    "created_at",
]


class WarnedAtRiskFilter(admin.SimpleListFilter):
    """Active memberships the nightly check warned lately that they may lapse (the home page
    of a steward's admin links here)."""

    title = _("at risk")
    parameter_name = "at_risk"

    def lookups(self, request, model_admin):
        return [
            ("warned", _("warned in the last %(days)d days") % {"days": AT_RISK_DAYS}),
        ]

    def queryset(self, request, queryset):
        if self.value() == "warned":
            return warned_at_risk(queryset, now=timezone.now())
        return queryset


@admin.register(Membership)
class MembershipAdmin(
    StewardScopedAdminMixin, ServiceFormMixin, NoBulkDeleteMixin, admin.ModelAdmin
):
    """Memberships are added through ``membership_add`` (audited; the first dues invoice comes
    with it): a user membership active from today, an operational one pending until the
    Permanent Assembly adopts its admission. Once made, every field is the services' (the
    status and end date the actions' and the nightly job's, the admission date the
    assembly's), so a membership's page is read-only; nobody deletes one."""

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
    list_filter = ["type", "status", WarnedAtRiskFilter, "steward", "service_level"]
    search_fields = ["member__name", "member__organisation_name", "member__email"]
    list_select_related = ["member", "steward", "service_level"]
    autocomplete_fields = ["member"]
    date_hierarchy = "created_at"
    actions = ["suspend_selected", "end_selected", "reinstate_selected"]

    def get_fields(self, request, obj=None):
        return MEMBERSHIP_ADD_FIELDS if obj is None else MEMBERSHIP_FIELDS

    def get_readonly_fields(self, request, obj=None):
        # A status changes only through the actions below (with a reason, recorded and
        # emailed) or the nightly job, never by editing the field; the end date comes with
        # "End", the admission date with the assembly's admission. The add form has no status.
        return [] if obj is None else MEMBERSHIP_FIELDS

    def get_changeform_initial_data(self, request):
        return {"applied_on": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request, obj=None):
        # The change permission opens the actions on the list; a membership's own page has
        # nothing a person may edit.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def add_via_service(self, request, data):
        return services.membership_add(
            member=data["member"],
            type=data["type"],
            steward=data["steward"],
            service_level=data.get("service_level"),
            applied_on=data.get("applied_on"),
            actor=request.user,
        )

    def _set_status_with_reason(self, request, queryset, *, status, action, title, intro):
        """Ask for the reason on an intermediate page, then set the status of each."""
        from django.contrib.admin import helpers
        from django.template.response import TemplateResponse

        form = StatusReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed = 0
            for membership in queryset:
                try:
                    if services.membership_status_set(
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

    @admin.action(
        description=_("Suspend the selected memberships (Fair Use breach)…"),
        permissions=["change"],
    )
    def suspend_selected(self, request, queryset):
        return self._set_status_with_reason(
            request,
            queryset,
            status="suspended",
            action="suspend_selected",
            title=_("Suspend memberships"),
            intro=_("A suspended membership keeps its history; the nightly job leaves it alone."),
        )

    @admin.action(
        description=_("End the selected memberships (resigned or expelled)…"),
        permissions=["change"],
    )
    def end_selected(self, request, queryset):
        return self._set_status_with_reason(
            request,
            queryset,
            status="ended",
            action="end_selected",
            title=_("End memberships"),
            intro=_("An ended membership can't change again; the member may apply anew."),
        )

    @admin.action(
        description=_("Reinstate the selected memberships (active again)…"),
        permissions=["change"],
    )
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
