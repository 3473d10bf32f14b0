from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from meetcoop.core import views as core_views

# The admin signs in through allauth (email verification, rate limits, one login page).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("%(site)s administration") % {"site": settings.SITE_NAME}
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Co-op administration")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("apply/", include("resellers.urls")),
    path("governance/", include("governance.urls")),
    path("", include("membership.urls")),
    path("", include("standing.urls")),
    path("contributions/", include("contributions.urls")),
]
