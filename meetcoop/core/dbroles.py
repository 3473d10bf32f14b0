"""The application's own database role, apart from the owner that migrates (PostgreSQL).

The owner (``MIGRATE_DATABASE_URL``) creates and alters the tables and owns them. The app
(``DATABASE_URL``) connects as a role that owns nothing and may only read and write rows:
SELECT, INSERT, UPDATE and DELETE on the tables, USAGE on the sequences. Owning nothing, it can't
disable a trigger, drop or alter a table, and without the TRUNCATE privilege it can't empty
one: the append-only guards hold even against the application's own credentials.
"""

import re

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .errors import DomainError

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
TABLE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"]
SEQUENCE_PRIVILEGES = ["USAGE"]


def app_role_grant(*, role: str) -> dict:
    """Give ``role`` exactly the app's privileges on every table and sequence of the current
    schema, taking away any other it had there (TRUNCATE, REFERENCES, TRIGGER). Set-based (a
    handful of statements whatever the number of tables) and idempotent: run it after every
    ``migrate``, as the owner. Returns what it granted on."""
    if connection.vendor != "postgresql":
        raise DomainError(_("Database roles exist on PostgreSQL only."))
    if not _ROLE_NAME.match(role):
        raise DomainError(_("%(role)r is not a plain role name.") % {"role": role})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, current_user, current_schema(), current_database()"
            " FROM pg_roles WHERE rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            raise DomainError(
                _("There is no role %(role)s: create it first (CREATE ROLE ... LOGIN).")
                % {"role": role}
            )
        superuser, bypass_rls, owner, schema, database = row
        if role == owner:
            raise DomainError(
                _("%(role)s is the role running this: the app's role must be another.")
                % {"role": role}
            )
        if superuser or bypass_rls:
            raise DomainError(
                _("%(role)s is a superuser: it could disable every guard.") % {"role": role}
            )
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            [schema, role],
        )
        (owned,) = cursor.fetchone()
        if owned:
            raise DomainError(
                _(
                    "%(role)s owns %(count)s tables or sequences here, so it could disable their "
                    "triggers: give them to the owner first (REASSIGN OWNED BY %(role)s TO "
                    "%(owner)s)."
                )
                % {"role": role, "count": owned, "owner": owner}
            )
        quote = connection.ops.quote_name
        grantee, schema_name, db_name = quote(role), quote(schema), quote(database)
        with transaction.atomic():
            for statement in [
                f"GRANT CONNECT ON DATABASE {db_name} TO {grantee}",
                f"GRANT USAGE ON SCHEMA {schema_name} TO {grantee}",
                f"REVOKE CREATE ON SCHEMA {schema_name} FROM {grantee}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema_name} FROM {grantee}",
                f"GRANT {', '.join(TABLE_PRIVILEGES)} ON ALL TABLES IN SCHEMA {schema_name}"
                f" TO {grantee}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema_name} FROM {grantee}",
                f"GRANT {', '.join(SEQUENCE_PRIVILEGES)} ON ALL SEQUENCES IN SCHEMA"
                f" {schema_name} TO {grantee}",
            ]:
                cursor.execute(statement)
            cursor.execute(
                "SELECT count(*) FILTER (WHERE relkind IN ('r', 'p', 'v', 'm', 'f')),"
                " count(*) FILTER (WHERE relkind = 'S')"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s",
                [schema],
            )
            tables, sequences = cursor.fetchone()
    return {"role": role, "schema": schema, "tables": tables, "sequences": sequences}
