"""The database keeps the kept tables itself (PostgreSQL): TRUNCATE is refused on every
append-only table, and the application's own role, apart from the owner that migrates, may
read and write rows but not empty a table, own one, or switch a trigger off."""

import os
import secrets
import shlex
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from meetcoop.core.audit import audit_log
from meetcoop.core.db import ALLOW_TRUNCATE_SETTING
from meetcoop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite has no TRUNCATE, no triggers on it, and no roles",
)

# Every table whose rows are never changed once written (meetcoop.core.db's triggers).
APPEND_ONLY = [
    "core_auditentry",
    "contributions_ledgerentry",
    "contributions_duespayment",
    "contributions_revenuereport",
    "contributions_revenuesharepayment",
    "governance_documentversion",
    "governance_stancerecord",
    "resellers_applicationdecision",
    "membership_statuschange",
    "membership_exchangerate",
    "membership_statusrecheck",
    "contributions_compensation",
    "contributions_compensationsettlement",
    "resellers_concernentry",
    "contributions_bankstatement",
    "contributions_bankline",
    "contributions_banklinedecision",
    "contributions_onlinepayment",
    "contributions_onlinepaymentevent",
    "contributions_duesrefund",
    "standing_importrun",
    "standing_importedrecord",
    "standing_servicesignin",
]


def triggers(kind: str) -> set[str]:
    """The tables with a trigger firing on ``kind`` (UPDATE, TRUNCATE)."""
    bit = {"UPDATE": 16, "TRUNCATE": 32}[kind]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgtype & %s <> 0",
            [bit],
        )
        return {name for (name,) in cursor.fetchall()}


@on_postgresql
def test_every_append_only_table_refuses_truncate_and_no_other_does():
    assert triggers("UPDATE") == set(APPEND_ONLY)  # the list above is complete
    assert triggers("TRUNCATE") == set(APPEND_ONLY)


@on_postgresql
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_truncate_of_an_append_only_table_is_refused(table):
    # CASCADE: without it, a table other rows refer to is refused for that reason first.
    with (
        pytest.raises(DatabaseError, match=r"TRUNCATE of \w+ is refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table} CASCADE")


@on_postgresql
def test_truncate_of_the_ledger_and_the_audit_log_keeps_their_rows():
    from tests.factories import LabourEntryFactory

    entry = audit_log(actor=None, action="test.kept")
    LabourEntryFactory(status="approved")
    for table in ["core_auditentry", "contributions_ledgerentry"]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    from contributions.models import LedgerEntry

    assert LedgerEntry.objects.count() == 1


@on_postgresql
def test_the_owner_empties_a_kept_table_only_by_saying_so_in_the_transaction():
    entry = audit_log(actor=None, action="test.kept")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the entry's own checks done first
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditentry")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {ALLOW_TRUNCATE_SETTING} = on")
        cursor.execute("TRUNCATE core_auditentry")
        assert not AuditEntry.objects.exists()
        raise Undo  # the test's data back, and the setting with it
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# --- the application's role -------------------------------------------------------------------


def _superuser_runner():
    """A way to run SQL as a role that may create roles, or None: this connection's role if
    it may; ``TEST_DATABASE_SUPERUSER_URL``; or, as root on the database's machine,
    ``su postgres -c psql`` (peer authentication, as on Debian)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        if cursor.fetchone()[0]:

            def run_here(sql):
                with connection.cursor() as own:
                    own.execute(sql)

            return run_here
    url = os.environ.get("TEST_DATABASE_SUPERUSER_URL")
    if url:
        import psycopg

        def run_there(sql):
            with psycopg.connect(url, autocommit=True) as other:
                other.execute(sql)

        return run_there
    local = connection.settings_dict["HOST"] in ("", "127.0.0.1", "localhost", "::1")
    if local and os.geteuid() == 0 and shutil.which("su") and shutil.which("psql"):
        port = connection.settings_dict["PORT"] or "5432"

        def run_as_postgres(sql):
            command = f"psql -X -q -v ON_ERROR_STOP=1 -p {port} -c {shlex.quote(sql)}"
            subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True)

        try:
            run_as_postgres("SELECT 1")
        except subprocess.CalledProcessError:
            return None
        return run_as_postgres
    return None


@pytest.fixture
def app_role():
    """A login role with a random name, dropped afterwards: (name, password)."""
    run = _superuser_runner()
    if run is None:
        pytest.skip(
            "Making a role needs a superuser or CREATEROLE: give the suite's role CREATEROLE, "
            "set TEST_DATABASE_SUPERUSER_URL, or run it as root beside the server"
        )
    name, password = f"app_test_{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    run(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    try:
        yield name, password
    finally:
        schema, database = "public", connection.settings_dict["NAME"]
        with connection.cursor() as cursor:
            for sql in [
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {name}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {name}",
                f"REVOKE ALL ON SCHEMA {schema} FROM {name}",
                f'REVOKE ALL ON DATABASE "{database}" FROM {name}',
            ]:
                cursor.execute(sql)
        run(f"DROP ROLE IF EXISTS {name}")


def connect_as(role, password):
    import psycopg

    config = connection.settings_dict
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        dbname=config["NAME"],
        user=role,
        password=password,
        autocommit=True,
    )


def privileges(role: str, table: str) -> dict[str, bool]:
    kinds = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"has_table_privilege(%s, %s, '{k}')" for k in kinds),
            [role, table] * len(kinds),
        )
        return dict(zip(kinds, cursor.fetchone(), strict=True))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_app_role_writes_rows_but_cannot_change_empty_or_unguard_the_kept_tables(app_role):
    import psycopg

    role, password = app_role
    for _ in range(2):  # running it again changes nothing
        call_command("grant_app_role", role, stdout=StringIO())
    assert privileges(role, "core_auditentry") == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": True,
        "DELETE": True,
        "TRUNCATE": False,
        "REFERENCES": False,
        "TRIGGER": False,
    }
    kept = audit_log(actor=None, action="test.kept")
    with connect_as(role, password) as app:
        app.execute(
            "INSERT INTO core_auditentry (created_at, action, object_id, object_repr, data)"
            " VALUES (now(), 'test.inserted', '', '', '{}')"
        )
        refused = [
            ("UPDATE core_auditentry SET action = 'x' WHERE id = %s", "can't be changed"),
            ("DELETE FROM core_auditentry WHERE id = %s", "can't be changed"),
            ("TRUNCATE core_auditentry", "permission denied"),
            ("TRUNCATE contributions_ledgerentry CASCADE", "permission denied"),
            ("ALTER TABLE core_auditentry DISABLE TRIGGER ALL", "must be owner"),
            ("ALTER TABLE core_auditentry DISABLE TRIGGER USER", "must be owner"),
            ("DROP TRIGGER core_auditentry_append_only_trigger ON core_auditentry", "owner"),
        ]
        for sql, reason in refused:
            with pytest.raises(psycopg.Error, match=reason):
                app.execute(sql, [kept.pk] if "%s" in sql else None)
        # The owner's way to empty a table opens nothing to it.
        app.execute(f"SET {ALLOW_TRUNCATE_SETTING} = on")
        with pytest.raises(psycopg.Error, match="permission denied"):
            app.execute("TRUNCATE core_auditentry")
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
        "test.inserted",
        "test.kept",
    ]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_migrate_runs_as_the_owner_then_grants_the_app_role(app_role, settings):
    """With MIGRATE_DATABASE_URL, ``migrate`` connects as the owner whatever DATABASE_URL
    says, and leaves the app's role its privileges on the tables."""
    role, password = app_role
    config = connection.settings_dict
    settings.MIGRATE_DATABASE_URL = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{key: config[key] or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    )
    owner = {key: config[key] for key in ("USER", "PASSWORD")}
    connection.close()
    config.update(USER=role, PASSWORD=password)
    try:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (role,)  # back to the app's role afterwards
        assert privileges(role, "membership_statuschange")["INSERT"]
        assert not privileges(role, "membership_statuschange")["TRUNCATE"]
        audit_log(actor=None, action="test.as_the_app")
    finally:
        connection.close()
        config.update(owner)
    assert AuditEntry.objects.filter(action="test.as_the_app").exists()


def test_migrate_refuses_an_owner_url_naming_another_database(settings):
    settings.MIGRATE_DATABASE_URL = (
        "postgres://owner:secret@127.0.0.1:5432/another"
        if connection.vendor == "postgresql"
        else "sqlite:////tmp/another.sqlite3"
    )
    with pytest.raises(CommandError, match="must name the database"):
        call_command("migrate", verbosity=0)


@on_postgresql
def test_grant_app_role_refuses_the_owner_a_superuser_and_an_unknown_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    for role, reason in [
        (owner, "the role running this"),
        ("postgres", "superuser"),
        ("nobody_here_at_all", "There is no role"),
        ("bad name; drop table x", "not a plain role name"),
    ]:
        with pytest.raises(CommandError, match=reason):
            call_command("grant_app_role", role, stdout=StringIO())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite answers")
def test_grant_app_role_on_sqlite_says_roles_are_postgresql_only():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("grant_app_role", "app", stdout=StringIO())
