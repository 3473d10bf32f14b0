"""The environment chooses the database and the broker."""

import json
import os
import subprocess
import sys
from pathlib import Path

import environ

from meetcoop.settings.config import celery_config, database_config

ROOT = Path(__file__).resolve().parents[2]


def test_no_database_url_means_sqlite_in_the_project_folder():
    config = database_config("", base_dir=ROOT, env=environ.Env())
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(ROOT / "db.sqlite3")


def test_a_postgres_url_means_postgresql_with_psycopg():
    config = database_config(
        "postgres://app:secret@db.example:5433/coop", base_dir=ROOT, env=environ.Env()
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "coop")
    assert (config["USER"], config["PASSWORD"]) == ("app", "secret")


def test_no_redis_url_means_eager_tasks():
    config = celery_config("")
    assert config["CELERY_TASK_ALWAYS_EAGER"] is True
    assert config["CELERY_BROKER_URL"] == "memory://"


def test_a_redis_url_means_a_redis_broker():
    config = celery_config("redis://127.0.0.1:6379/3")
    assert config["CELERY_TASK_ALWAYS_EAGER"] is False
    assert config["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"


def _settings_from_env(**env):
    """Load the real settings module in a fresh interpreter with the given environment."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "import psycopg; "
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
        "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
        "'debug': settings.DEBUG}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    clean.update(env, DJANGO_SETTINGS_MODULE="meetcoop.settings.base")
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_settings_module_follows_the_environment():
    bare = _settings_from_env()
    assert bare["engine"] == "django.db.backends.sqlite3"
    assert bare["eager"] is True
    assert bare["debug"] is False  # DEBUG is off unless asked for

    served = _settings_from_env(
        DATABASE_URL="postgres://app:app@127.0.0.1:5432/app", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert served["engine"] == "django.db.backends.postgresql"
    assert served["eager"] is False
    assert served["broker"] == "redis://127.0.0.1:6379/0"


def test_production_refuses_to_start_without_a_secret():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean["DJANGO_SETTINGS_MODULE"] = "meetcoop.settings.production"
    clean["DJANGO_ALLOWED_HOSTS"] = "members.example.org"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
