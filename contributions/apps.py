from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = _("Contributions")

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .payments import checks  # noqa: F401  (the payment provider's settings)
