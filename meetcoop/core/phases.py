"""Time and memory per phase of a bulk job (the status recompute), for the benchmark.

A job marks its phases with ``with phase("name"):``; that costs nothing unless someone records
them: ``with recording() as phases:`` around the job collects, for each phase ended, its
name, its seconds, and the process's resident memory then and its peak so far. A phase run
several times (once per slice) is recorded each time; ``summary`` adds them up.
"""

import contextlib
import resource
import threading
import time
from typing import NamedTuple


class Phase(NamedTuple):
    name: str
    seconds: float
    rss_mb: float  # resident memory when the phase ended
    peak_mb: float  # the process's peak resident memory so far


_records: list | None = None
_lock = threading.Lock()


def rss_mb() -> float:
    """The process's resident memory now, in MB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return 0.0


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (``ru_maxrss`` is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def recording():
    """Collect the phases ended inside the block into the list it yields."""
    global _records
    records: list[Phase] = []
    _records = records
    try:
        yield records
    finally:
        _records = None


@contextlib.contextmanager
def phase(name: str):
    records = _records
    if records is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        record(name, time.perf_counter() - started)


def record(name: str, seconds: float) -> None:
    """Record a phase timed by the caller (the commit of a transaction, which ends outside
    any ``with`` the caller can put around it alone)."""
    records = _records
    if records is not None:
        with _lock:
            records.append(Phase(name, seconds, rss_mb(), peak_mb()))


def summary(records: list[Phase]) -> list[tuple[str, int, float, float]]:
    """(name, times run, seconds in all, peak MB at its ends) per phase name, in the order
    each first ended."""
    totals: dict[str, list] = {}
    for record in records:
        entry = totals.setdefault(record.name, [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += record.seconds
        entry[2] = max(entry[2], record.peak_mb)
    return [(name, n, seconds, peak) for name, (n, seconds, peak) in totals.items()]
