"""A lock that lets one run of a job work while another exits at once.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``), released when the run
ends or its database session ends. SQLite: an exclusive ``flock`` on a file beside the
database, released by the operating system when the process ends, however it ends.

A PostgreSQL session does not end the moment its process dies: the server notices a vanished
client only when it next reads from or writes to it, so a backend busy in a long query keeps
the lock of a process killed with SIGKILL until that query is over (or, when the machine
itself vanished, until TCP gives up: two hours by default). So, while it holds the lock, the
session

* names its process in ``application_name`` (``meetcoop-lock pid=<pid> host=<host>``), and
* asks the server to check every second, even in the middle of a query, whether its client
  is still connected (``client_connection_check_interval``, PostgreSQL 14 and later), and to
  probe an idle connection after a minute (TCP keepalives).

A run that finds the lock taken looks up the holder (``pg_locks``, ``pg_stat_activity``): when
the holder is a process of this machine that no longer exists, it ends the holder's backend
(``pg_terminate_backend``, allowed on the backends of one's own role) and takes the lock once
the server has released it. A holder on another machine, or one still alive, is left alone.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import socket
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

HOLDER_LABEL = "meetcoop-lock"
_HOLDER = re.compile(rf"^{HOLDER_LABEL} pid=(?P<pid>\d+) host=(?P<host>\S+)$")
# How long a run waits for the server to release the lock of a backend it ended.
TAKEOVER_WAIT = "10s"
# While a session holds a lock: how often the server checks, mid-query, that its client is
# still there, and the TCP keepalives that find a client whose machine vanished.
HOLDER_SETTINGS = {
    "client_connection_check_interval": "1s",
    "tcp_keepalives_idle": "60",
    "tcp_keepalives_interval": "10",
    "tcp_keepalives_count": "6",
}


def _key(name: str) -> int:
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def holder_label(pid: int | None = None, host: str | None = None) -> str:
    """The ``application_name`` of a session holding a lock (at most 63 bytes: a longer one
    is cut by the server, and a cut host name is never taken for this machine's)."""
    return f"{HOLDER_LABEL} pid={pid or os.getpid()} host={host or socket.gethostname()}"[:63]


def process_is_gone(pid: int) -> bool:
    """True when no process ``pid`` runs on this machine (a zombie, killed and not yet
    reaped by its parent, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] in (["Z"], ["X"])


def _holder(cursor, key: int):
    """(backend pid, application_name) of the session holding the advisory lock ``key`` in
    this database, or None."""
    cursor.execute(
        """
        SELECT l.pid, a.application_name
          FROM pg_locks l
          JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
           AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """,
        [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF],
    )
    return cursor.fetchone()


def _holder_is_dead(application_name: str | None) -> bool:
    match = _HOLDER.match(application_name or "")
    if match is None or match["host"] != socket.gethostname():
        return False
    pid = int(match["pid"])
    return pid != os.getpid() and process_is_gone(pid)


def _take_from_dead_holder(cursor, key: int, name: str) -> bool:
    """Take the lock ``key`` from a holder whose process died on this machine."""
    holder = _holder(cursor, key)
    if holder is None:  # released meanwhile
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        return cursor.fetchone()[0]
    backend, application_name = holder
    if not _holder_is_dead(application_name):
        return False
    logger.warning(
        "Lock %s: held by %s, whose process is gone; ending its backend %s.",
        name,
        application_name,
        backend,
    )
    try:
        # A savepoint (or a transaction of its own) so that a timeout leaves the caller's
        # transaction usable; the session-level lock outlives it.
        with transaction.atomic():
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
            cursor.execute(f"SET LOCAL lock_timeout = '{TAKEOVER_WAIT}'")
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    except DatabaseError:
        logger.warning("Lock %s: still held %s after ending its backend.", name, TAKEOVER_WAIT)
        return False
    return True


def _settings_while_held(cursor) -> dict:
    """Label the session as the holder and make a dead client show; return what to restore."""
    names = ["application_name"]
    if connection.pg_version >= 140000:
        names += list(HOLDER_SETTINGS)
    else:
        names += [n for n in HOLDER_SETTINGS if n != "client_connection_check_interval"]
    values = {"application_name": holder_label(), **HOLDER_SETTINGS}
    cursor.execute(
        "SELECT "
        + ", ".join(f"current_setting('{n}'), set_config('{n}', %s, false)" for n in names),
        [values[n] for n in names],
    )
    row = cursor.fetchone()
    return {n: row[2 * i] for i, n in enumerate(names)}


@contextlib.contextmanager
def try_lock(name: str):
    """Yield True when this process holds the lock ``name``, False when another run does."""
    if connection.vendor == "postgresql":
        key = _key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = cursor.fetchone()[0] or _take_from_dead_holder(cursor, key, name)
            restore = _settings_while_held(cursor) if acquired else {}
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s)"
                        + "".join(f", set_config('{n}', %s, false)" for n in restore),
                        [key, *restore.values()],
                    )
        return
    folder = Path(getattr(settings, "LOCK_DIR", "") or Path(settings.BASE_DIR) / ".locks")
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_until_commit(name: str) -> None:
    """Wait for, then hold until the current transaction ends, the lock ``name``.

    For a row that does not exist yet, so ``select_for_update`` has nothing to lock: two
    approvals creating the member of one email at the same moment (the second then finds the
    first's). PostgreSQL: a transaction-level advisory lock. SQLite needs none: its
    transactions begin IMMEDIATE (``meetcoop.settings.config``), so writers already queue.
    Call it inside ``transaction.atomic()``.
    """
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_until_commit() needs a transaction.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
