"""A status lock held by another worker, as a concurrent run would hold it."""

import contextlib
import threading

from django.db import connections

from meetcoop.core.locks import try_lock
from membership.services import STATUS_LOCK


@contextlib.contextmanager
def lock_held_elsewhere():
    """Hold the status lock on another thread (its own connection) while the block runs."""
    holding, release = threading.Event(), threading.Event()

    def other_run():
        try:
            with try_lock(STATUS_LOCK) as held:
                assert held
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_run)
    worker.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        worker.join()
