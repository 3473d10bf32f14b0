from django.conf import settings

from .languages import language_options


def site(request):
    """The site's name, whether sign-up is open and the languages to switch to. The header's
    roles are ``standing.context_processors.roles`` (read lazily, once per request)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_OPEN": bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False)),
        # The header's language switcher: each language named in itself.
        "LANGUAGE_OPTIONS": language_options(),
    }
