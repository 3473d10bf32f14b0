"""``manage.py migrate``, as the owner when ``MIGRATE_DATABASE_URL`` is set.

The application connects with ``DATABASE_URL`` as a role that owns nothing (see
``meetcoop.core.dbroles``). With ``MIGRATE_DATABASE_URL`` set, this command connects as that
owner instead, migrates, and then grants the application's role (the user of
``DATABASE_URL``) its privileges on the tables as they now are. Without it, it is Django's
``migrate`` unchanged.
"""

import contextlib

import environ
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

CONNECTION_KEYS = ["USER", "PASSWORD", "HOST", "PORT"]


@contextlib.contextmanager
def connected_as(url: str, alias: str = DEFAULT_DB_ALIAS):
    """The connection ``alias`` uses the credentials of ``url`` (the same database) inside."""
    config = environ.Env.db_url_config(url)
    connection = connections[alias]
    if (
        config["ENGINE"] != connection.settings_dict["ENGINE"]
        or config["NAME"] != (connection.settings_dict["NAME"])
    ):
        raise CommandError(
            "MIGRATE_DATABASE_URL must name the database DATABASE_URL names "
            f"({connection.settings_dict['NAME']}), as its owner."
        )
    saved = {key: connection.settings_dict.get(key) for key in CONNECTION_KEYS}
    connection.close()
    connection.settings_dict.update({key: config.get(key, "") for key in CONNECTION_KEYS})
    try:
        yield config
    finally:
        connection.close()
        connection.settings_dict.update(saved)


class Command(migrate.Command):
    help = (
        migrate.Command.help
        + " With MIGRATE_DATABASE_URL set: as that role (the tables' owner), then grants the "
        "role of DATABASE_URL its privileges (grant_app_role)."
    )

    def handle(self, *args, **options):
        owner_url = getattr(settings, "MIGRATE_DATABASE_URL", "")
        alias = options["database"]
        if not owner_url or alias != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        app_role = connections[alias].settings_dict["USER"]
        with connected_as(owner_url, alias) as owner:
            super().handle(*args, **options)
            if app_role and app_role != owner["USER"]:
                call_command(
                    "grant_app_role",
                    app_role,
                    stdout=self.stdout,
                    verbosity=options["verbosity"],
                )
