from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResellersConfig(AppConfig):
    name = "resellers"
    verbose_name = _("Stewards and applications")

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
