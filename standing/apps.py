from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandingConfig(AppConfig):
    """The top of the layers. It gathers the facts of every app, evaluates active status,
    runs the recompute, shows the member's dashboard, the data download and the co-op report,
    imports a co-op's existing records, erases a former member, and signs members in to the
    co-op's services (OpenID Connect, ``standing.oidc``) and the forum (DiscourseConnect,
    ``standing.discourse``). Its models: the import runs and the records they wrote, the
    services and their sign-ins, the forum's sign-ins and sync failures."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "standing"
    verbose_name = _("Standing")

    def ready(self):
        from . import receivers  # (forgets the cached nightly schedule on change)
        from .discourse import receivers as forum_receivers  # noqa: F401  (pushes forum groups)
        from .oidc import receivers as oidc_receivers  # noqa: F401  (revokes lapsed tokens)

        receivers.connect_fact_marks()  # the marks the nightly job reads (docs/nightly-job.md)
