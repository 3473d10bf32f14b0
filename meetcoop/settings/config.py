"""Pure functions that turn environment values into settings, so the choices are testable."""

from pathlib import Path


def database_config(database_url: str | None, *, base_dir: Path, env) -> dict:
    """SQLite in the project folder when no ``DATABASE_URL`` is given, else that database."""
    if not database_url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(base_dir / "db.sqlite3"),
            # Wait for a lock instead of failing at once: tests race two writers on purpose.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    config = env.db_url_config(database_url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("CONN_MAX_AGE", 60)
        config.setdefault("CONN_HEALTH_CHECKS", True)
    return config


def celery_config(redis_url: str | None) -> dict:
    """Redis as broker and result store when ``REDIS_URL`` is set; tasks run eagerly otherwise."""
    if redis_url:
        return {
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": False,
            "CELERY_TASK_EAGER_PROPAGATES": False,
        }
    return {
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": None,
        "CELERY_TASK_ALWAYS_EAGER": True,
        "CELERY_TASK_EAGER_PROPAGATES": True,
    }
