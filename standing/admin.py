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
