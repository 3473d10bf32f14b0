"""The membership admin, with the action that belongs to this layer: recompute now.

``membership.admin.MembershipAdmin`` knows nothing of the facts other apps hold; the recompute
gathers them, so its action is added here, where every app can be read.
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.admin import ReadOnlyAdminMixin
from meetcoop.core.errors import DomainError
from meetcoop.core.forms import add_service_error
from meetcoop.core.roles import is_coop_admin
from membership.admin import MembershipAdmin
from membership.models import Membership

from .discourse import admin as forum_admin  # noqa: F401  (the forum's sync failures)
from .imports.columns import KINDS
from .imports.readers import MAX_BYTES
from .models import ImportRun
from .services import coop_import, status_recompute


class StandingMembershipAdmin(MembershipAdmin):
    actions = ["recompute_now", *MembershipAdmin.actions]

    @admin.action(
        description=_("Recompute the status of the selected memberships now"),
        permissions=["change"],
    )
    def recompute_now(self, request, queryset):
        # The run records who started it, and audits it with the memberships it evaluated.
        run, _evaluations = status_recompute(
            on=timezone.localdate(),
            source="on_demand",
            actor=request.user,
            memberships=queryset.filter(status__in=["active", "lapsed"]),
            keep_evaluations=False,
        )
        if run.state == run.State.SKIPPED:
            self.message_user(
                request, _("A status recompute is running; try again in a minute."), "warning"
            )
            return
        self.message_user(
            request,
            _("%(evaluated)s evaluated: %(active)s became active, %(lapsed)s lapsed.")
            % {"evaluated": run.evaluated, "active": run.became_active, "lapsed": run.lapsed},
        )


admin.site.unregister(Membership)
admin.site.register(Membership, StandingMembershipAdmin)


# --- importing the co-op's existing records (issue 16) ----------------------------------------


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data]
        return [clean_one(data, initial)]


class ImportForm(forms.Form):
    files = _MultipleFileField(
        label=_("Files"),
        help_text=_(
            "CSV files named after what they hold (members.csv, memberships.csv, ...), or one "
            "XLSX workbook with a sheet for each."
        ),
    )
    checked = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


def _hashes(contents) -> list[str]:
    return sorted(hashlib.sha256(data).hexdigest() for _name, data in contents)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every import, checked or written, and the page that imports (co-op admins only)."""

    change_list_template = "admin/standing/importrun/change_list.html"
    list_display = ["started_at", "actor", "outcome", "dry_run", "errors"]
    list_filter = ["outcome"]
    list_select_related = ["actor"]
    readonly_fields = ["started_at", "actor", "outcome", "dry_run", "files", "counts", "skipped"]

    def has_module_permission(self, request):
        return is_coop_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coop_admin(request.user)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="standing_importrun_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Choose the files: they are checked (a dry run) and the counts or errors shown.
        To write them, the same files are chosen again on the result page: they are checked
        once more and written, all or nothing, only when they are the files just checked."""
        if not is_coop_admin(request.user):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        result, checked_run, status = None, None, 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                contents = [
                    (upload.name, upload.read(MAX_BYTES + 1))
                    for upload in form.cleaned_data["files"]
                ]
                checked = form.cleaned_data.get("checked")
                write = False
                if checked:
                    earlier = ImportRun.objects.filter(
                        pk=checked, actor=request.user, outcome=ImportRun.Outcome.CHECKED
                    ).first()
                    if earlier is None or sorted(f["sha256"] for f in earlier.files) != _hashes(
                        contents
                    ):
                        form.add_error(
                            "files",
                            _("These are not the files you checked: check them first."),
                        )
                    else:
                        write = True
                if not form.errors:
                    try:
                        result = coop_import(files=contents, actor=request.user, dry_run=not write)
                    except DomainError as error:
                        add_service_error(form, error)
                    else:
                        if result.written:
                            self.message_user(
                                request,
                                _("The records were imported."),
                                messages.SUCCESS,
                            )
                            return redirect(
                                reverse("admin:standing_importrun_change", args=[result.run.pk])
                            )
                        if not result.errors:
                            checked_run = result.run
                            status = 200
        rows = []
        if result is not None:
            rows = [
                (kind, result.counts.get(kind, 0), result.skipped.get(kind, 0)) for kind in KINDS
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import the co-op's records"),
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "rows": rows,
            "errors": result.errors[:ERRORS_SHOWN] if result else [],
            "errors_left": max(len(result.errors) - ERRORS_SHOWN, 0) if result else 0,
            "confirm_form": ImportForm(initial={"checked": checked_run.pk})
            if checked_run
            else None,
        }
        return TemplateResponse(request, "admin/standing/import.html", context, status=status)


ERRORS_SHOWN = 500


# --- A former member's erasure ----------------------------------------------------------------

from django import forms  # noqa: E402
from django.contrib.admin import helpers  # noqa: E402
from django.shortcuts import get_object_or_404  # noqa: E402
from django.utils.html import format_html  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

from meetcoop.core.admin import message_domain_error  # noqa: E402
from membership.admin import MemberAdmin  # noqa: E402
from membership.models import ErasureRequest, Member  # noqa: E402
from membership.services import erasure_request  # noqa: E402

from .erasure import ALREADY_DECIDED, erasure_confirm, erasure_refuse  # noqa: E402


def erasure_changes() -> list[str]:
    """What an erasure changes and keeps, in words (the confirmation pages list them)."""
    return [
        gettext(
            "The member's name becomes the pseudonym; its email becomes an address that "
            "receives nothing; its postal address is emptied."
        ),
        gettext(
            "Its logins can no longer sign in: their email and name are replaced, their "
            "password removed, their sessions ended. A login that also acts for another "
            "member keeps working and only loses its link to this member."
        ),
        gettext(
            "Its applications, concerns, stances, role applications and public listing "
            "lose the words the person wrote; their name and email are replaced wherever "
            "else they appear, the audit log included."
        ),
        gettext(
            "Kept: every membership with its type, steward and dates, every ledger entry, "
            "invoice and payment with its amount, every stance and attendance, so every "
            "total stays the same."
        ),
    ]


class ErasureConfirmForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand that this cannot be undone."), required=True
    )


class ErasureRefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Only the co-op's admins see the requests; they confirm or refuse them through the
    actions, each on a page that says what will happen."""

    list_display = ["requested_at", "member_shown", "pseudonym", "status", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["member"]
    search_fields = ["pseudonym", "member__name", "member__email"]
    ordering = ["-requested_at", "-id"]
    actions = ["confirm_selected", "refuse_selected"]
    fields = [
        "member",
        "requested_by",
        "requested_at",
        "reason",
        "status",
        "pseudonym",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields

    @admin.display(description=_("member"))
    def member_shown(self, obj):
        return obj.member.display_name

    def has_module_permission(self, request):
        return is_coop_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coop_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The actions (confirm, refuse) need it; a request's page is read-only: nothing of a
        # request is edited, it is only decided.
        return obj is None and is_coop_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "erase/<int:member_id>/",
                self.admin_site.admin_view(self.erase_on_behalf),
                name="membership_erasurerequest_on_behalf",
            ),
            *super().get_urls(),
        ]

    def _page(self, request, *, title, intro, items, form, action, submit_label, queryset):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "items": items,
            "changes": erasure_changes(),
            "submit_label": submit_label,
            "action": action,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/standing/erasure_confirm.html", context)

    @admin.action(description=_("Confirm erasure…"), permissions=["change"])
    def confirm_selected(self, request, queryset):
        form = ErasureConfirmForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for item in queryset.order_by("pk"):
                try:
                    erasure_confirm(request=item, actor=request.user)
                except DomainError as exc:
                    level = messages.WARNING if exc.code == ALREADY_DECIDED else messages.ERROR
                    self.message_user(request, f"{item}: {exc.text}", level)
                else:
                    self.message_user(
                        request,
                        gettext("%(pseudonym)s: erased.") % {"pseudonym": item.pseudonym},
                        messages.SUCCESS,
                    )
            return None
        return self._page(
            request,
            title=_("Confirm erasure"),
            intro=_("Each member below will be erased and shown by its pseudonym from now on."),
            items=[
                gettext("%(member)s becomes %(pseudonym)s (%(status)s)")
                % {
                    "member": r.member.display_name,
                    "pseudonym": r.pseudonym,
                    "status": r.get_status_display(),
                }
                for r in queryset.select_related("member")
            ],
            form=form,
            action="confirm_selected",
            submit_label=_("Erase"),
            queryset=queryset,
        )

    @admin.action(description=_("Refuse erasure…"), permissions=["change"])
    def refuse_selected(self, request, queryset):
        form = ErasureRefuseForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for item in queryset.order_by("pk"):
                try:
                    erasure_refuse(
                        request=item, actor=request.user, note=form.cleaned_data["reason"]
                    )
                except DomainError as exc:
                    message_domain_error(self, request, exc, about=str(item))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refuse erasure"),
            "intro": _("The request is closed with your reason; nothing is erased."),
            "items": [str(r) for r in queryset],
            "submit_label": _("Refuse"),
            "action": "refuse_selected",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/action_with_reason.html", context)

    def erase_on_behalf(self, request, member_id):
        """A co-op admin asks, on a former member's behalf, for it to be erased; the request
        is then confirmed from the list like any other."""
        if not is_coop_admin(request.user):
            raise PermissionDenied
        member = get_object_or_404(Member, pk=member_id)
        member_page = reverse("admin:membership_member_change", args=[member.pk])
        if request.method == "POST":
            try:
                made = erasure_request(member=member, actor=request.user)
            except DomainError as exc:
                message_domain_error(self, request, exc)
                return redirect(member_page)
            self.message_user(
                request,
                gettext("Erasure requested; confirm it here to erase %(member)s.")
                % {"member": member.display_name},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:membership_erasurerequest_change", args=[made.pk]))
        return TemplateResponse(
            request,
            "admin/standing/erasure_on_behalf.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase on their behalf"),
                "member": member,
                "member_page": member_page,
                "changes": erasure_changes(),
                "opts": self.model._meta,
            },
        )


class StandingMemberAdmin(MemberAdmin):
    """The member's page, with a link for co-op admins to ask for its erasure."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and is_coop_admin(request.user):
            fields.append("erasure")
        return fields

    @admin.display(description=_("erasure"))
    def erasure(self, obj):
        url = reverse("admin:membership_erasurerequest_on_behalf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Erase on their behalf…"))


admin.site.unregister(Member)
admin.site.register(Member, StandingMemberAdmin)

from django.shortcuts import render  # noqa: E402

from meetcoop.core.admin import ServiceFormMixin, StewardScopedAdminMixin  # noqa: E402

from .models import Service  # noqa: E402
from .oidc.services import service_register, service_update  # noqa: E402
from .oidc.values import greenlight_values  # noqa: E402

# --- The co-op's services (OpenID Connect clients), per steward -------------------------------


class ServiceForm(forms.ModelForm):
    """A service's fields, with its OAuth client's: its name, its exact redirect URIs and
    whether it is public (no secret, PKCE). The client id and secret are made on saving."""

    name = forms.CharField(label=_("name"), max_length=255)
    redirect_uris = forms.CharField(
        label=_("redirect URIs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, each exactly as the service sends it; for a Greenlight, its address "
            "followed by /auth/openid_connect/callback."
        ),
    )
    public = forms.BooleanField(
        label=_("public client (no secret; it must use PKCE)"), required=False
    )

    class Meta:
        model = Service
        fields = ["steward", "kind", "own_service"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["name"].initial = self.instance.application.name
            self.fields["name"].disabled = True
            self.fields["redirect_uris"].initial = "\n".join(
                self.instance.application.redirect_uris.split()
            )
            self.fields["public"].initial = self.instance.application.client_type == "public"
            self.fields["public"].disabled = True


@admin.register(Service)
class ServiceAdmin(ServiceFormMixin, StewardScopedAdminMixin, admin.ModelAdmin):
    """A co-op admin registers a service for any steward, a steward's admin for its own; the
    client secret is shown once, on the page after saving (only its hash is kept)."""

    form = ServiceForm
    list_display = ["__str__", "steward", "kind", "own_service", "client_id", "created_at"]
    list_filter = ["steward", "kind", "own_service"]
    search_fields = ["application__name", "application__client_id"]
    list_select_related = ["application", "steward"]
    readonly_fields = ["client_id", "created_by", "created_at"]
    service_error_field = "steward"

    @admin.display(description=_("client ID"))
    def client_id(self, obj):
        return obj.application.client_id if obj and obj.pk else ""

    def get_fields(self, request, obj=None):
        fields = ["name", "steward", "kind", "redirect_uris", "public", "own_service"]
        return [*fields, *self.readonly_fields] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields) if obj else []
        if obj:
            readonly += ["steward", "kind"]
        if not is_coop_admin(request.user):
            readonly.append("own_service")
        return readonly

    def has_delete_permission(self, request, obj=None):
        # A service people signed in to keeps its record; a co-op admin removes its OAuth
        # client (Django OAuth Toolkit › Applications) when it must never sign anyone in again.
        return False

    def add_via_service(self, request, data):
        registered = service_register(
            steward=data["steward"],
            name=data["name"],
            redirect_uris=data["redirect_uris"],
            kind=data["kind"],
            own_service=bool(data.get("own_service")),
            public=bool(data.get("public")),
            actor=request.user,
        )
        request._registered_service = registered
        return registered.service

    def change_via_service(self, request, obj, data):
        return service_update(
            service=obj,
            own_service=data.get("own_service") if is_coop_admin(request.user) else None,
            redirect_uris=data["redirect_uris"],
            actor=request.user,
        )

    def response_add(self, request, obj, post_url_continue=None):
        registered = getattr(request, "_registered_service", None)
        if registered is None:
            return super().response_add(request, obj, post_url_continue)
        return render(
            request,
            "admin/standing/service/registered.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Service registered"),
                "service": registered.service,
                "values": greenlight_values(request, registered),
            },
        )
