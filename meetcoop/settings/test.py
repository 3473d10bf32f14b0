"""Settings for the test suite. The database and broker still follow DATABASE_URL and
REDIS_URL, so CI runs the same suite on SQLite and on PostgreSQL."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline in tests, whatever the broker: a test sees their effect at once.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["*"]
# The suite migrates its own test database as the role it runs as (the owner).
MIGRATE_DATABASE_URL = ""
WHITENOISE_AUTOREFRESH = True
# Threads racing in one test need a file: SQLite's shared in-memory cache answers "table is
# locked" at once instead of waiting, so the busy timeout and IMMEDIATE transactions can't help.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file per checkout by default; TEST_SQLITE_NAME lets two suites run side by side.
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_SQLITE_NAME", default=str(BASE_DIR / "test-db.sqlite3"))
    }
    # A throwaway file: skip the fsyncs that make migrating it slow.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA synchronous=OFF;",
    }
# A signing key for the ID tokens of this run, unless the environment gives one.
if not OIDC_RSA_PRIVATE_KEY:  # noqa: F405
    from .config import rsa_private_key_pem

    OIDC_RSA_PRIVATE_KEY = rsa_private_key_pem()
    OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = OIDC_RSA_PRIVATE_KEY  # noqa: F405
