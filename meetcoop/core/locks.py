"""A lock that lets one run of a job work while another exits at once.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``), released when the run
ends or its connection dies. SQLite: an exclusive ``flock`` on a file beside the database,
released by the operating system when the process ends, however it ends.
"""

import contextlib
import fcntl
import hashlib
from pathlib import Path

from django.conf import settings
from django.db import connection


def _key(name: str) -> int:
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def try_lock(name: str):
    """Yield True when this process holds the lock ``name``, False when another run does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(name)])
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
