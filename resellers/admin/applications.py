"""The admin of applications: read-only, decided through the actions (approve, waitlist,
reject with a reason, open the admission proposal), and the CSV export."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetcoop.core.admin import (
    BoundedInlineFormSet,
    ChangedByActionsMixin,
    OccurringChoicesListFilter,
    StewardScopedAdminMixin,
    message_domain_error,
)
from meetcoop.core.audit import audit_log
from meetcoop.core.dates import date_medium
from meetcoop.core.errors import DomainError
from meetcoop.core.exports import csv_cell

from .. import selectors
from ..models import Application, ApplicationDecision
from ..selectors import stewards_visible_to
from ..services import (
    ALREADY_DECIDED,
    application_admission_reopen,
    application_approve,
    application_confirmation_resend,
    application_reject,
    application_waitlist,
)
from .filters import ApplicationStatusFilter, OfferedLevelListFilter

EMAIL_CASES = {
    selectors.EMAIL_NEW: _("new to the co-op"),
    selectors.EMAIL_KNOWN: _("an existing member's: approving asks its owner"),
    selectors.EMAIL_PENDING: _("an existing member's: confirmation pending"),
    selectors.EMAIL_CONFIRMED: _("an existing member's: confirmed by its owner"),
    selectors.EMAIL_DISOWNED: _("an existing member's: not theirs, closed"),
}


class EmailOwnerFilter(admin.SimpleListFilter):
    """Whether the email belongs to an existing login or member, and what its owner said."""

    title = _("email")
    parameter_name = "email_owner"

    def lookups(self, request, model_admin):
        return list(EMAIL_CASES.items())

    def queryset(self, request, queryset):
        if self.value() in EMAIL_CASES:
            return queryset.filter(selectors.email_status_filter(self.value()))
        return queryset


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class ApplicationDecisionInline(admin.TabularInline):
    model = ApplicationDecision
    formset = BoundedInlineFormSet
    extra = 0
    can_delete = False
    fields = ["decided_at", "status_from", "status_to", "decided_by", "reason_words"]
    readonly_fields = fields
    verbose_name_plural = _("decisions")

    @admin.display(description=_("reason"))
    def reason_words(self, obj):
        return obj.reason_words

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ChangedByActionsMixin, StewardScopedAdminMixin, admin.ModelAdmin):
    # Five short columns fit beside the filters at 1280 px: the email sits under the name,
    # the type is told by the level ("operational" has none), and the steward column and
    # filter show only to admins who see more than one steward.
    list_display = ["submitted_on", "applicant", "asks_for", "steward", "status"]
    list_display_links = ["applicant"]
    list_filter = [
        ApplicationStatusFilter,
        "type",
        "steward",
        ("service_level", OfferedLevelListFilter),
        ("country", OccurringChoicesListFilter),
        EmailOwnerFilter,
    ]
    search_fields = ["name", "organisation_name", "email"]
    list_select_related = ["steward", "service_level"]
    date_hierarchy = "submitted_at"
    ordering = ["-submitted_at", "-id"]
    actions = [
        "approve_selected",
        "reject_selected",
        "waitlist_selected",
        "open_admission_proposal",
        "resend_confirmation",
        "export_csv",
    ]
    inlines = [ApplicationDecisionInline]
    fieldsets = [
        (
            _("Applicant"),
            {
                "fields": [
                    "status",
                    "steward",
                    "submitted_at",
                    "kind",
                    "name",
                    "organisation_name",
                    "email",
                    "country",
                    "language",
                    "type",
                    "service_level",
                ]
            },
        ),
        (
            _("Pledge and statement (operational)"),
            {
                "fields": [
                    "pledge_money",
                    "pledge_currency",
                    "pledge_hours",
                    "pledge_resources_value",
                    "pledge_resources_description",
                    "statement",
                ]
            },
        ),
        (_("Terms accepted"), {"fields": ["accepted_terms_list"]}),
        (
            _("Decision"),
            {
                "fields": [
                    "email_owner",
                    "owner_confirmed_at",
                    "decided_at",
                    "decided_by",
                    "decision_reason_words",
                    "member",
                    "membership",
                ]
            },
        ),
    ]

    @admin.display(description=_("reason"))
    def decision_reason_words(self, obj):
        return obj.decision_reason_words

    def get_readonly_fields(self, request, obj=None):
        # What the applicant typed is kept as typed; decisions go through the actions.
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def get_queryset(self, request):
        return selectors.applications_with_email_in_use(super().get_queryset(request))

    def _visible_stewards(self, request) -> list:
        """The stewards ``request.user`` sees here, read once per request."""
        if not hasattr(request, "_application_admin_stewards"):
            request._application_admin_stewards = list(stewards_visible_to(request.user))
        return request._application_admin_stewards

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if len(self._visible_stewards(request)) > 1:
            return columns
        return [column for column in columns if column != "steward"]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if len(self._visible_stewards(request)) > 1:
            return filters
        return [f for f in filters if not (isinstance(f, tuple) and f[0] == "steward")]

    def changelist_view(self, request, extra_context=None):
        # The list takes the width of the admin's navigation sidebar (the breadcrumbs and
        # the admin's home still lead everywhere), so every column fits at 1280 px.
        context = {"is_nav_sidebar_enabled": False}
        stewards = self._visible_stewards(request)
        if len(stewards) == 1:
            context["title"] = _("Applications to %(steward)s") % {"steward": stewards[0].name}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def response_action(self, request, queryset):
        """Ticked rows are acted on whatever their status is now, even outside the list's
        filters (the default queue included): the service then says that one was decided
        meanwhile. Only "select all" follows the filters. Rows stay scoped to the admin's
        stewards either way."""
        if request.POST.get("select_across", "0") in ("0", "", "False", "false"):
            queryset = self.get_queryset(request)
        return super().response_action(request, queryset)

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted_on(self, obj):
        return date_medium(obj.submitted_at)

    @admin.display(description=_("applicant"), ordering="name")
    def applicant(self, obj):
        """The name, the email under it, and whose the email is when it was not new."""
        case = selectors.email_status(obj)
        if case == selectors.EMAIL_NEW:
            return format_html('{}<br><span class="quiet">{}</span>', obj.display_name, obj.email)
        return format_html(
            '{}<br><span class="quiet">{}</span><br><span class="quiet">{}</span>',
            obj.display_name,
            obj.email,
            _("Email: %(case)s") % {"case": EMAIL_CASES[case]},
        )

    @admin.display(description=_("membership"), ordering="service_level__position")
    def asks_for(self, obj):
        """The level asked for; an operational application has none."""
        return obj.service_level.name if obj.service_level_id else _("operational")

    @admin.display(description=_("email belongs to"))
    def email_owner(self, obj):
        return EMAIL_CASES[selectors.email_status(obj)]

    @admin.display(description=_("terms accepted"))
    def accepted_terms_list(self, obj):
        return ", ".join(str(version) for version in obj.accepted_terms.all()) or "—"

    def _decide(self, request, queryset, service, done_message, **kwargs):
        """Call ``service`` on each application; return the applications it changed."""
        done = []
        for application in queryset.order_by("pk"):
            try:
                done.append(service(application=application, actor=request.user, **kwargs))
            except DomainError as exc:
                if exc.code == ALREADY_DECIDED:
                    self.message_user(request, exc.text, messages.WARNING)
                else:
                    message_domain_error(self, request, exc, about=application.display_name)
        if done:
            self.message_user(request, done_message(len(done)), messages.SUCCESS)
        elif not queryset.exists():
            self.message_user(request, _("No application was changed."), messages.WARNING)
        return done

    @admin.action(description=_("Approve the selected applications"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done = self._decide(
            request,
            queryset,
            application_approve,
            lambda n: (
                ngettext("%(count)d application approved.", "%(count)d applications approved.", n)
                % {"count": n}
            ),
        )
        waiting = sum(app.status == Application.Status.AWAITING_CONFIRMATION for app in done)
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%(count)d of them gives an email that already belongs to a login or a "
                    "member: it waits until the email's owner confirms it is theirs.",
                    "%(count)d of them give an email that already belongs to a login or a "
                    "member: they wait until each email's owner confirms.",
                    waiting,
                )
                % {"count": waiting},
                messages.WARNING,
            )

    @admin.action(
        description=_("Put the selected applications on the waiting list"), permissions=["change"]
    )
    def waitlist_selected(self, request, queryset):
        self._decide(
            request,
            queryset,
            application_waitlist,
            lambda n: (
                ngettext(
                    "%(count)d application put on the waiting list.",
                    "%(count)d applications put on the waiting list.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(
        description=_("Open the admission proposal (operational, awaiting the assembly)"),
        permissions=["change"],
    )
    def open_admission_proposal(self, request, queryset):
        opened = sum(
            application_admission_reopen(application=application, actor=request.user)
            for application in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d application has its admission proposal open.",
                "%(count)d applications have their admission proposal open.",
                opened,
            )
            % {"count": opened},
        )
        if opened < queryset.count():
            self.message_user(
                request,
                _(
                    "The others are not awaiting the assembly, or nobody has voting rights "
                    "yet (see the audit log)."
                ),
                messages.WARNING,
            )

    @admin.action(
        description=_("Send the email's owner the confirmation link again"),
        permissions=["change"],
    )
    def resend_confirmation(self, request, queryset):
        sent = sum(
            application_confirmation_resend(application=application, actor=request.user)
            for application in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d link sent again.",
                "%(count)d links sent again.",
                sent,
            )
            % {"count": sent},
        )
        if sent < queryset.count():
            self.message_user(
                request,
                _("The others are not waiting for the email's owner."),
                messages.WARNING,
            )

    @admin.action(description=_("Reject the selected applications…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        """Ask for the reason on an intermediate page, then reject."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._decide(
                request,
                queryset,
                application_reject,
                lambda n: (
                    ngettext(
                        "%(count)d application rejected.", "%(count)d applications rejected.", n
                    )
                    % {"count": n}
                ),
                reason=form.cleaned_data["reason"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject applications"),
            "intro": _(
                "These applications will be refused. The reason is stored with the decision "
                "and sent to each applicant."
            ),
            "items": [f"{a.display_name} <{a.email}> · {a.get_status_display()}" for a in queryset],
            "submit_label": _("Reject"),
            "action": "reject_selected",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/action_with_reason.html", context)

    @admin.action(description=_("Export the selected applications (CSV)"), permissions=["change"])
    def export_csv(self, request, queryset):
        """Applicants' personal data leaves the platform: who took which, and when, is
        audited."""
        rows = list(queryset.select_related("steward", "service_level").order_by("pk"))
        audit_log(
            actor=request.user,
            action="resellers.application.exported",
            data={"applications": [app.pk for app in rows]},
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="applications.csv"'
        writer = csv.writer(response)
        columns = [
            "id",
            "submitted_at",
            "status",
            "steward",
            "type",
            "service_level",
            "kind",
            "name",
            "organisation_name",
            "email",
            "country",
            "language",
            "pledge_money",
            "pledge_currency",
            "pledge_hours",
            "pledge_resources_value",
            "decided_at",
            "decision_reason",
        ]
        writer.writerow(columns)
        for app in rows:
            writer.writerow(
                csv_cell(value)
                for value in [
                    app.pk,
                    app.submitted_at.isoformat(),
                    app.status,
                    app.steward.slug,
                    app.type,
                    app.service_level.code if app.service_level_id else "",
                    app.kind,
                    app.name,
                    app.organisation_name,
                    app.email,
                    str(app.country),
                    app.language,
                    app.pledge_money,
                    app.pledge_currency,
                    app.pledge_hours,
                    app.pledge_resources_value,
                    app.decided_at.isoformat() if app.decided_at else "",
                    app.decision_reason_words,
                ]
            )
        return response
