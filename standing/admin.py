"""The membership admin, with the action that belongs to this layer: recompute now.

``membership.admin.MembershipAdmin`` knows nothing of the facts other apps hold; the recompute
gathers them, so its action is added here, where every app can be read.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from membership.admin import MembershipAdmin
from membership.models import Membership

from .discourse import admin as forum_admin  # noqa: F401  (the forum's sync failures)
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
