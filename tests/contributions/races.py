"""Calls run at the same moment on connections of their own (PostgreSQL row locks)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def race(*calls):
    """Run each of ``calls`` in a thread of its own, at once; their results (a
    ``ValidationError`` raised stands for its call's result), in the order they finished."""
    results = []

    def run(call):
        try:
            results.append(call())
        except ValidationError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
