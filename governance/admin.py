from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from meetcoop.core.admin import (
    BoundedInlineFormSet,
    NoBulkDeleteMixin,
    ReadOnlyAdminMixin,
    ServiceDeleteMixin,
    ServiceFormMixin,
    message_domain_error,
)
from meetcoop.core.errors import DomainError

from . import selectors, services
from .models import (
    Attendance,
    Circle,
    CircleRole,
    DocumentVersion,
    GovernanceDocument,
    Meeting,
    Proposal,
    PublicListing,
    RoleApplication,
    RoleHolder,
    StanceRecord,
    Voter,
    WagedRole,
)


class CircleRoleInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Seats are added and ended on the circle's page (a service checks overlaps and writes
    the audit log); the admin shows them."""

    model = CircleRole
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["member", "role", "started_on", "ended_on"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Each row shows its member, and its title (``__str__``) names the circle too: read
        # them with the rows, not one query per row.
        return super().get_queryset(request).select_related("member", "circle")


@admin.register(Circle)
class CircleAdmin(ServiceFormMixin, NoBulkDeleteMixin, TranslationAdmin):
    """Circles are added through ``circle_create`` (audited). A circle with history (seats,
    meetings, proposals) is never deleted: its seats count in members' standing."""

    list_display = ["name", "slug"]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CircleRoleInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (
            obj.roles.exists() or obj.meetings.exists() or obj.proposals.exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    def add_via_service(self, request, data):
        return services.circle_create(
            name=data["name"],
            slug=data["slug"],
            purpose=data.get("purpose_en") or data.get("purpose", ""),
            translations={
                key: value for key, value in data.items() if key.startswith("purpose_") and value
            },
            actor=request.user,
        )


@admin.register(CircleRole)
class CircleRoleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["member", "circle", "role", "started_on", "ended_on"]
    list_filter = ["circle", "role"]
    search_fields = ["member__name", "member__email", "circle__name"]
    list_select_related = ["member", "circle"]
    autocomplete_fields = ["member"]


class AttendanceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attendance
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["member", "recorded_at", "recorded_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The member, who recorded it and the row's title (member @ meeting), with the rows.
        return super().get_queryset(request).select_related("member", "meeting", "recorded_by")


@admin.register(Meeting)
class MeetingAdmin(ServiceFormMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """Meetings are added through ``meeting_create`` (audited); attendance is recorded on the
    meeting's page on the site (``attendance_record``). A meeting with attendance recorded
    counts in attendance rates: it keeps its date, kind and circle and is never deleted."""

    list_display = ["held_on", "title", "kind", "circle", "attendance_recorded_at"]
    list_filter = ["kind", "circle"]
    search_fields = ["title", "agenda"]
    date_hierarchy = "held_on"
    list_select_related = ["circle"]
    readonly_fields = ["attendance_recorded_at", "attendance_recorded_by", "created_at"]
    inlines = [AttendanceInline]

    def get_readonly_fields(self, request, obj=None):
        # Once attendance is recorded the meeting counts in attendance rates: its date, kind
        # and circle stay as they were, and it can't be deleted.
        if obj is not None and obj.attendance_recorded_at:
            return [*self.readonly_fields, "held_on", "kind", "circle"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.attendance_recorded_at:
            return False
        return super().has_delete_permission(request, obj)

    def add_via_service(self, request, data):
        return services.meeting_create(
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            circle=data.get("circle"),
            agenda=data.get("agenda", ""),
            minutes_url=data.get("minutes_url", ""),
            actor=request.user,
        )


class VoterInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Voter
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["member", "stance", "reason", "stance_at", "reminded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The member and the row's title (member · proposal), with the rows.
        return super().get_queryset(request).select_related("member", "proposal")


@admin.register(Proposal)
class ProposalAdmin(ServiceFormMixin, ServiceDeleteMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """Drafts are added through ``proposal_create`` (audited), changed and deleted through
    ``proposal_draft_update`` and ``proposal_draft_delete`` (which lock the row: a draft opened
    while its page was being saved is refused, never written back as it was loaded), opened
    and closed through the actions (``proposal_open``, ``proposal_close``, audited). A
    proposal that opened is frozen and never deleted: saving its page writes nothing."""

    list_display = ["title", "status", "electorate", "closes_at", "outcome", "electorate_size"]
    list_filter = ["status", "outcome", "electorate"]
    search_fields = ["title", "text"]
    date_hierarchy = "created_at"
    list_select_related = ["circle", "document"]
    inlines = [VoterInline]
    actions = ["open_selected", "close_selected"]
    change_form_template = "admin/governance/proposal/change_form.html"
    fields = [
        *services.PROPOSAL_DRAFT_FIELDS,  # what a draft's editor may change, frozen once open
        "status",
        "opens_at",
        "base_version",
        "content_sha256",
        "admission_application_id",
        "author",
        "closed_at",
        "outcome",
        "outcome_reason",
        "electorate_size",
        "agree_count",
        "abstain_count",
        "block_count",
    ]
    always_readonly = [
        "status",
        "opens_at",
        "base_version",
        "content_sha256",
        "admission_application_id",
        "author",
        "closed_at",
        "outcome",
        "outcome_reason",
        "electorate_size",
        "agree_count",
        "abstain_count",
        "block_count",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Proposal.Status.DRAFT:
            return [*services.PROPOSAL_DRAFT_FIELDS, *self.always_readonly]
        return self.always_readonly

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Proposal.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def add_via_service(self, request, data):
        proposal = services.proposal_create(
            title=data["title"],
            text=data["text"],
            electorate=data["electorate"],
            circle=data.get("circle"),
            quorum_percent=data["quorum_percent"],
            document=data.get("document"),
            new_text=data.get("new_text", ""),
            actor=request.user,
        )
        if data.get("closes_at"):
            # The closing time a draft suggests; it is frozen (and audited) when it opens.
            proposal.closes_at = data["closes_at"]
            proposal.save(update_fields=["closes_at"])
        return proposal

    def change_via_service(self, request, obj, data):
        # Only the fields the form offered (none for a proposal that opened: all read-only).
        return services.proposal_draft_update(
            proposal=obj,
            actor=request.user,
            **{field: data[field] for field in services.PROPOSAL_DRAFT_FIELDS if field in data},
        )

    def delete_via_service(self, request, obj):
        services.proposal_draft_delete(proposal=obj, actor=request.user)

    @admin.action(
        description=_("Open the selected drafts (closing at their closing time)"),
        permissions=["change"],
    )
    def open_selected(self, request, queryset):
        for proposal in queryset.filter(status=Proposal.Status.DRAFT):
            if not proposal.closes_at:
                self.message_user(
                    request,
                    _("%(p)s: set its closing time first.") % {"p": proposal},
                    messages.ERROR,
                )
                continue
            try:
                services.proposal_open(
                    proposal=proposal, closes_at=proposal.closes_at, actor=request.user
                )
            except DomainError as error:
                message_domain_error(self, request, error, about=proposal)
            else:
                self.message_user(request, _("%(p)s is open.") % {"p": proposal})

    @admin.action(
        description=_("Close the selected proposals whose closing time has passed"),
        permissions=["change"],
    )
    def close_selected(self, request, queryset):
        for proposal in queryset.filter(status=Proposal.Status.OPEN):
            self._close(request, proposal)

    def _close(self, request, proposal):
        try:
            services.proposal_close(proposal=proposal, actor=request.user)
        except DomainError as error:
            message_domain_error(self, request, error, about=proposal)
        else:
            proposal.refresh_from_db()
            self.message_user(
                request,
                _("%(p)s is closed: %(outcome)s.")
                % {"p": proposal, "outcome": proposal.get_outcome_display()},
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/close/",
                self.admin_site.admin_view(self.close_view),
                name="governance_proposal_close",
            ),
            *super().get_urls(),
        ]

    def close_view(self, request, pk):
        if request.method != "POST" or not self.has_change_permission(request):
            return redirect(reverse("admin:governance_proposal_change", args=[pk]))
        proposal = get_object_or_404(self.get_queryset(request), pk=pk)
        self._close(request, proposal)
        return redirect(reverse("admin:governance_proposal_change", args=[pk]))

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_close_now"] = bool(
            obj is not None and selectors.proposal_is_due(obj, timezone.now())
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


@admin.register(StanceRecord)
class StanceRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["voter", "stance", "cast_at", "cast_by"]
    list_select_related = ["voter__member", "voter__proposal", "cast_by"]
    search_fields = ["voter__member__name", "voter__proposal__title"]


class DocumentVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DocumentVersion
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["number", "adopted_at", "proposal", "text_sha256"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The proposal and the row's title (document vN), with the rows.
        return super().get_queryset(request).select_related("proposal", "document")


@admin.register(GovernanceDocument)
class GovernanceDocumentAdmin(ServiceFormMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """A document is created empty (``document_create``, audited); its text only ever comes
    from an adopted proposal. A document with a version or a proposal is never deleted."""

    list_display = [
        "title",
        "slug",
        "current_version",
        "public",
        "membership_page",
        "responsible_circle",
        "decided_by",
    ]
    list_filter = ["public", "membership_page", "decided_by", "members_accept"]
    list_select_related = ["current_version", "responsible_circle"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "slug",
        "public",
        "membership_page",
        "responsible_circle",
        "decided_by",
        "members_accept",
        "current_version",
        "created_at",
    ]
    readonly_fields = ["current_version", "created_at"]
    inlines = [DocumentVersionInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.versions.exists() or obj.proposals.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def add_via_service(self, request, data):
        return services.document_create(
            title=data["title"],
            slug=data["slug"],
            public=data.get("public", False),
            membership_page=data.get("membership_page", False),
            responsible_circle=data.get("responsible_circle"),
            decided_by=data["decided_by"],
            members_accept=data.get("members_accept", ""),
            actor=request.user,
        )

    def change_via_service(self, request, obj, data):
        # Title, slug and settings, audited; the text only ever comes from a proposal.
        return services.document_settings_set(
            document=obj,
            actor=request.user,
            **{field: data[field] for field in services.DOCUMENT_SETTINGS if field in data},
        )


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["document", "number", "adopted_at", "proposal"]
    list_select_related = ["document", "proposal"]
    readonly_fields = ["document", "number", "text", "text_sha256", "proposal", "adopted_at"]
    fields = readonly_fields


@admin.register(PublicListing)
class PublicListingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who chose to be on the public list of members, and what it shows. Only the member
    chooses (``listing_set``, on /me/listing/): the admin only reads."""

    list_display = ["display_name", "member", "listed", "website", "updated_at"]
    list_filter = ["listed"]
    search_fields = ["display_name", "member__name", "member__email"]
    list_select_related = ["member"]
    fields = ["member", "listed", "display_name", "website", "languages", "offer", "updated_at"]
    readonly_fields = fields


@admin.register(WagedRole)
class WagedRoleAdmin(ServiceFormMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """Roles are published through ``role_publish`` (here, or on the roles page by a circle's
    coordinator); applications are decided on the role's page."""

    list_display = ["title", "circle", "hours_per_month", "pay_per_month", "currency", "closes_on"]
    list_filter = ["circle"]
    list_select_related = ["circle"]
    search_fields = ["title", "description"]
    fields = [
        "title",
        "circle",
        "description",
        "hours_per_month",
        "pay_per_month",
        "currency",
        "closes_on",
    ]
    service_error_field = "circle"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # applications and holders point at it

    def add_via_service(self, request, data):
        return services.role_publish(actor=request.user, **data)


@admin.register(RoleApplication)
class RoleApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "role",
        "member",
        "status",
        "applied_at",
        "decided_by",
        "decided_at",
        "decision_words",
    ]
    list_filter = ["status", "role"]
    list_select_related = ["role", "member", "decided_by", "proposal"]

    @admin.display(description=_("why"))
    def decision_words(self, obj):
        return obj.decision_words


@admin.register(RoleHolder)
class RoleHolderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["role", "member", "started_on", "ended_on"]
    list_select_related = ["role", "member"]
