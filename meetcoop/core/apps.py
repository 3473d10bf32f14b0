from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "meetcoop.core"
    label = "core"
    verbose_name = _("Audit and shared tools")

    def ready(self):
        from .roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, dispatch_uid="core.ensure_role_groups")
