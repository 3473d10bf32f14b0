from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "meetcoop.core"
    label = "core"
    verbose_name = _("Audit and shared tools")

    def ready(self):
        from . import money  # noqa: F401  (registers the allowed-currencies check)
        from .roles import ensure_role_groups

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
