from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from governance import views as governance_views
from meetcoop.core import views as core_views
from resellers import urls as resellers_urls
from standing import views as standing_views
from standing.csp import form_may_leave_for_services

# The admin signs in through allauth (email verification, rate limits, one login page).
admin.site.login = secure_admin_login(admin.site.login)
# Lazy: worded in the reader's language on each page, not once at start-up.
admin.site.site_header = lazy(
    lambda: _("%(site)s administration") % {"site": settings.SITE_NAME}, str
)()
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Co-op administration")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # Signing in on the way to a service or the forum ends in a redirect there (standing.csp).
    path(
        "accounts/login/",
        form_may_leave_for_services(account_views.login),
        name="account_login",
    ),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The steward list and a steward's form are standing's (whether a steward takes
    # applications reads every app), the rest of the journey is resellers'; one namespace.
    path(
        "apply/",
        include(
            (
                [
                    path("", standing_views.steward_list, name="steward_list"),
                    path("<slug:slug>/", standing_views.apply, name="apply"),
                    path("<slug:slug>/thanks/", standing_views.thanks, name="thanks"),
                    *resellers_urls.urlpatterns,
                ],
                resellers_urls.app_name,
            )
        ),
    ),
    path("concerns/", include("resellers.concern_urls")),
    path("governance/", include("governance.urls")),
    path("membership/", governance_views.membership_page, name="membership_page"),
    path("members/", governance_views.members_list, name="members_list"),
    path("me/listing/", governance_views.listing_edit, name="listing_edit"),
    path("", include("membership.urls")),
    path("", include("standing.urls")),
    path("contributions/", include("contributions.urls")),
    # One login for the co-op's services: the OpenID Connect provider (docs/services.md).
    path("o/", include("standing.oidc.urls")),
]

# The site's own error pages (meetcoop.core.error_pages); allauth's rate limits answer with
# handler429 too. The 500 page renders without the database.
handler400 = "meetcoop.core.error_pages.bad_request"
handler403 = "meetcoop.core.error_pages.permission_denied"
handler404 = "meetcoop.core.error_pages.page_not_found"
handler429 = "meetcoop.core.error_pages.too_many_requests"
handler500 = "meetcoop.core.error_pages.server_error"
