"""The admin of Fair Use and service concerns: the co-op's admins see every concern, a
steward's admins the concerns about their own members' use (``followed_by``; another steward's
concern answers 404); nobody sees one about itself (``concerns_not_about``). Nothing is edited
or deleted here: the outcome is recorded through the "Decide" action, which calls
``concern_decide``; every step is a read-only entry below."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetcoop.core.admin import (
    BoundedInlineFormSet,
    ChangedByActionsMixin,
    ReadOnlyAdminMixin,
    StewardScopedAdminMixin,
    message_domain_error,
)
from meetcoop.core.errors import DomainError

from ..models import Concern, ConcernEntry
from ..selectors import concerns_not_about
from ..services import ALREADY_DECIDED, concern_decide


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Concern.Outcome.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Why, in words the person concerned understands (sent to them)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


class ConcernEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConcernEntry
    formset = BoundedInlineFormSet
    extra = 0
    can_delete = False
    fields = ["written_at", "kind", "author", "text"]
    readonly_fields = fields
    verbose_name_plural = _("steps")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "concern")


@admin.register(Concern)
class ConcernAdmin(ChangedByActionsMixin, StewardScopedAdminMixin, admin.ModelAdmin):
    steward_lookup = "followed_by"
    list_display = ["pk", "opened_at", "kind", "subject", "followed_by", "status", "outcome"]
    list_display_links = ["pk", "opened_at"]
    list_filter = ["status", "kind", "outcome"]
    search_fields = ["member_email", "member__name", "steward__name"]
    list_select_related = ["steward", "member", "followed_by"]
    ordering = ["-opened_at", "-id"]
    actions = ["decide_selected"]
    inlines = [ConcernEntryInline]
    fields = [
        "kind",
        "status",
        "steward",
        "member",
        "member_email",
        "followed_by",
        "raised_by",
        "raised_for",
        "opened_at",
        "description",
        "evidence",
        "outcome",
        "outcome_text",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("about"))
    def subject(self, obj):
        return obj.subject_name

    def get_queryset(self, request):
        # Never a concern about the user itself: it would read who raised it, and decide it.
        return concerns_not_about(super().get_queryset(request), request.user)

    @admin.action(description=_("Decide the selected concerns…"), permissions=["change"])
    def decide_selected(self, request, queryset):
        """Ask for the outcome and the words sent to the person concerned, then decide."""
        form = DecideForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for concern in queryset.order_by("pk"):
                try:
                    concern_decide(
                        concern=concern,
                        actor=request.user,
                        outcome=form.cleaned_data["outcome"],
                        text=form.cleaned_data["text"],
                    )
                except DomainError as exc:
                    if exc.code == ALREADY_DECIDED:
                        self.message_user(request, exc.text, messages.WARNING)
                    else:
                        message_domain_error(self, request, exc, about=str(concern))
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)d concern decided.", "%(count)d concerns decided.", done)
                    % {"count": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide concerns"),
            "intro": _(
                "The outcome is recorded with your name and sent to the person concerned. "
                "A suspension suspends the member's memberships with its steward."
            ),
            "items": [f"{c} · {c.subject_name} · {c.get_status_display()}" for c in queryset],
            "submit_label": _("Decide"),
            "action": "decide_selected",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/resellers/concern_decide.html", context)
