from django.conf import settings

from .roles import is_coop_admin


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_OPEN": bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False)),
        "IS_COOP_ADMIN": bool(user is not None and is_coop_admin(user)),
    }
