from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditedAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``meetcoop.core.admin_audit.AuditedAdminSite`` as its
    default site: every admin's own writes are audited (see that module). Named in
    ``INSTALLED_APPS`` in place of ``django.contrib.admin``."""

    default = False  # this module's default app config stays CoreConfig
    default_site = "meetcoop.core.admin_audit.AuditedAdminSite"


class CoreConfig(AppConfig):
    name = "meetcoop.core"
    label = "core"
    verbose_name = _("Audit and shared tools")

    def ready(self):
        from . import (
            lookups,
            money,  # noqa: F401  (registers the allowed-currencies check)
        )
        from .roles import ensure_role_groups

        lookups.register()  # integer lookups past the column's range: no row, not a 500

        post_migrate.connect(ensure_role_groups, dispatch_uid="core.ensure_role_groups")
        post_migrate.connect(ensure_site, dispatch_uid="core.ensure_site")


def ensure_site(**kwargs):
    """The site's name and domain (used in the links of emails) follow the settings."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME},
    )
