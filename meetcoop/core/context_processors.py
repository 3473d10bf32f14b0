from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SIGNUP_OPEN": bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False)),
    }
