"""The membership admin, with the action that belongs to this layer: recompute now.

``membership.admin.MembershipAdmin`` knows nothing of the facts other apps hold; the recompute
gathers them, so its action is added here, where every app can be read.
"""

from django import forms
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.admin import ServiceFormMixin, StewardScopedAdminMixin
from meetcoop.core.roles import is_coop_admin
from membership.admin import MembershipAdmin
from membership.models import Membership

from .models import Service
from .oidc.services import service_register, service_update
from .oidc.values import greenlight_values
from .services import status_recompute


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
