from django.conf import settings


def site(request):
    """The site's name and whether sign-up is open. The header's roles are
    ``standing.context_processors.roles`` (read lazily, once per request)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_OPEN": bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False)),
    }
