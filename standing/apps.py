from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandingConfig(AppConfig):
    """The top of the layers. It gathers the facts of every app, evaluates active status, runs
    the recompute, and shows the member's dashboard, the data download and the co-op report.
    Its own models are the services that sign people in with their membership (OpenID
    Connect, ``standing.oidc``) and the record of those sign-ins."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "standing"
    verbose_name = _("Standing")

    def ready(self):
        from . import receivers  # noqa: F401  (forgets the cached nightly schedule on change)
        from .oidc import receivers as oidc_receivers  # noqa: F401  (revokes lapsed tokens)
