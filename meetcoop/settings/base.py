"""Settings shared by every mode. Everything that differs between machines comes from the
environment (or a ``.env`` file beside ``manage.py``); see ``.env.example``."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .config import celery_config, database_config, oidc_provider_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# How many reverse proxies of our own stand in front of the site (0: none, clients connect
# directly). Every rate limit counts the client's address from X-Forwarded-For, skipping exactly
# this many hops from the right (meetcoop.core.client_ip); with 0 the header, which any client
# can write, is ignored and REMOTE_ADDR counts. django-ratelimit reads the function below;
# allauth asks the account adapter, which calls the same function, and its own setting follows
# the same value for any path that reads it directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
RATELIMIT_IP_META_KEY = "meetcoop.core.client_ip.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

SITE_NAME = env("SITE_NAME", default="Meet.coop")
# The host name links in emails point at (kept in the sites framework after every migrate;
# meetcoop.core.mail.absolute_url reads it there, with ACCOUNT_DEFAULT_HTTP_PROTOCOL's scheme).
SITE_DOMAIN = env("SITE_DOMAIN", default="127.0.0.1:8000")
SITE_ID = 1

# The currencies the co-op takes (ISO 4217, in menu order): every currency menu offers these and
# every currency field accepts only these; a system check refuses a code not in use today.
ALLOWED_CURRENCIES = [
    code.strip().upper()
    for code in env.list("ALLOWED_CURRENCIES", default=["EUR", "CAD", "USD", "GBP", "CHF"])
    if code.strip()
]

INSTALLED_APPS = [
    # Text the co-op writes in the admin, per language (before the admin: it adds its widgets).
    "modeltranslation",
    # django.contrib.admin, whose site audits every admin's own writes (meetcoop.core.admin_audit).
    "meetcoop.core.apps.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "csp",
    "django_celery_beat",
    "django_countries",
    "django_filters",
    # The OpenID Connect provider: one login for the co-op's services (standing.oidc).
    "oauth2_provider",
    "meetcoop.users",
    "meetcoop.core",
    # The apps, bottom to top: a lower one never imports a higher one (docs/architecture.md).
    "membership",
    "governance",
    "resellers",
    "contributions",
    "standing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files carry the two policies too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte anywhere, or an admin selection that is not keys: 400 before any view.
    "meetcoop.core.middleware.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language wins over the cookie and the browser's.
    "meetcoop.core.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Content-Security-Policy (django-csp) on every response, the admin's included: scripts, styles,
# images and fonts only from this site, as files. No 'unsafe-inline': no <script> body, no
# <style> element and no style="" attribute in a template (static/js/, static/css/ instead).
# Django's admin keeps to that since 5.x; django-celery-beat's task page is overridden
# (templates/admin/djcelery/) to load its script from a file; so no part of the site is relaxed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): the site uses none of these browser features,
# so no page, nor anything a page might embed, may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

ROOT_URLCONF = "meetcoop.urls"
WSGI_APPLICATION = "meetcoop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meetcoop.core.context_processors.site",
                "standing.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite beside manage.py unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = env("DATABASE_URL", default="")
DATABASES = {"default": database_config(DATABASE_URL, base_dir=BASE_DIR, env=env)}
# PostgreSQL with two roles (README "Database roles"): DATABASE_URL is the application's role,
# which may only read and write rows; MIGRATE_DATABASE_URL the owner of the tables, which
# `manage.py migrate` connects as before granting the application's role its privileges.
MIGRATE_DATABASE_URL = env("MIGRATE_DATABASE_URL", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Celery: Redis when REDIS_URL is set; otherwise tasks run eagerly in the web process.
REDIS_URL = env("REDIS_URL", default="")
globals().update(celery_config(REDIS_URL))
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Users and authentication (django-allauth, email as the login).
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Everyone lands on the work of their roles; a member with no other role on /me/.
LOGIN_REDIRECT_URL = "standing:home"
ACCOUNT_ADAPTER = "meetcoop.users.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
# The link in the approval email sets the first password: the member is signed in at once.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Logins are made from approved applications; open sign-up is a switch.
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=False)

# Email: console by default, SMTP when EMAIL_URL is set (smtp://user:pass@host:587).
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Meet.coop <members@meet.coop.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Online payment of invoices (docs/online-payments.md). Empty: members pay by bank transfer
# only. "stripe": Stripe Checkout, with the secret API key and the webhook's signing secret.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="").strip().lower()
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")

# The forum through DiscourseConnect (docs/forum.md). With no URL or no secret the forum's
# sign-in answers 404 and no groups are pushed. The API key (of the user DISCOURSE_API_USERNAME)
# lets the platform push a person's groups with Discourse's sync_sso when a status or a seat
# changes; without it only sign-in carries the groups.
DISCOURSE_URL = env("DISCOURSE_URL", default="").strip().rstrip("/")
DISCOURSE_CONNECT_SECRET = env("DISCOURSE_CONNECT_SECRET", default="")
DISCOURSE_API_KEY = env("DISCOURSE_API_KEY", default="")
DISCOURSE_API_USERNAME = env("DISCOURSE_API_USERNAME", default="system")
# Circle groups are named this prefix and the circle's slug ("circle-tech").
DISCOURSE_CIRCLE_GROUP_PREFIX = env("DISCOURSE_CIRCLE_GROUP_PREFIX", default="circle-")

# One login for the co-op's services: the site is an OpenID Connect provider under /o/
# (docs/services.md). ID tokens are signed with the RSA key in OIDC_RSA_PRIVATE_KEY (PEM; make
# one with `manage.py oidc_key`); production refuses to start without it, development and the
# tests make one at start-up. OIDC_ISSUER fixes the issuer (https://members.example.org/o);
# empty, it is this site's address + /o as each request reaches it.
OIDC_RSA_PRIVATE_KEY = env("OIDC_RSA_PRIVATE_KEY", default="").replace("\\n", "\n").strip()
# While rotating: the previous key, still published in the JWKS so tokens it signed verify.
OIDC_RSA_PRIVATE_KEY_PREVIOUS = (
    env("OIDC_RSA_PRIVATE_KEY_PREVIOUS", default="").replace("\\n", "\n").strip()
)
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
# How long an access token and an ID token live: a service refreshes, and each refresh asks
# again whether the membership still lets the person in.
OIDC_TOKEN_SECONDS = env.int("OIDC_TOKEN_SECONDS", default=600)
# Requests to the token endpoint per client address.
OIDC_TOKEN_RATE = env("OIDC_TOKEN_RATE", default="60/m")
# django-oauth-toolkit's own models, named (its models are swappable; a migration that refers
# to one reads the name here).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = oidc_provider_config(
    private_key=OIDC_RSA_PRIVATE_KEY,
    previous_key=OIDC_RSA_PRIVATE_KEY_PREVIOUS,
    issuer=OIDC_ISSUER,
    token_seconds=OIDC_TOKEN_SECONDS,
)

# Internationalisation.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ca", _("Catalan")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("de", _("German")),
]
# Only languages whose catalogue is complete are listed (tests/core/test_catalogues.py checks
# it); README.md says how to add one.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Text the co-op writes in the admin (steward descriptions, service levels, circles' purposes)
# has a field per language (django-modeltranslation, each app's translation.py); an empty one
# falls back to the default language's.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# A row made in code (a service, the demo) with the plain field name also fills the default
# language's field, whatever language is active: no row is left without its fallback.
MODELTRANSLATION_AUTO_POPULATE = "default"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
