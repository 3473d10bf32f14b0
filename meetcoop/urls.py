from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from meetcoop.core import views as core_views

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
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("apply/", include("resellers.urls")),
    path("concerns/", include("resellers.concern_urls")),
    path("governance/", include("governance.urls")),
    path("", include("membership.urls")),
    path("", include("standing.urls")),
    path("contributions/", include("contributions.urls")),
]

# The site's own error pages (meetcoop.core.error_pages); allauth's rate limits answer with
# handler429 too. The 500 page renders without the database.
handler400 = "meetcoop.core.error_pages.bad_request"
handler403 = "meetcoop.core.error_pages.permission_denied"
handler404 = "meetcoop.core.error_pages.page_not_found"
handler429 = "meetcoop.core.error_pages.too_many_requests"
handler500 = "meetcoop.core.error_pages.server_error"
