from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandingConfig(AppConfig):
    """The top of the layers. It gathers the facts of every app, evaluates active status,
    runs the recompute, shows the member's dashboard, the data download and the co-op report,
    and imports a co-op's existing records (its only models: the import runs and the records
    they wrote)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "standing"
    verbose_name = _("Standing")

    def ready(self):
        from . import receivers  # noqa: F401  (forgets the cached nightly schedule on change)
