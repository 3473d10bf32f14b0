"""Where the demo's emails go while ``seed_demo`` runs: nowhere near a mail server.

The seeders decide applications and run the status check through the real services, which
email applicants and members. During seeding those emails are kept: in memory (the default),
or as one ``.eml`` file each in a folder (``seed_demo --emails-to DIR``), and the command
prints how many there were instead of the console backend's hundreds of lines.
"""

import contextlib
import logging
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

# The emails of the last seeding, and the folder they are written to (None: memory only).
KEPT: list = []
_folder: Path | None = None


class KeptEmailBackend(BaseEmailBackend):
    """Keeps each message in ``KEPT``, and writes it as ``NNNN.eml`` when a folder is set."""

    def send_messages(self, email_messages):
        for message in email_messages:
            KEPT.append(message)
            if _folder is not None:
                (_folder / f"{len(KEPT):04d}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


# Loggers that would print a line per task (and kombu's note on the in-memory broker).
QUIET = {"celery.app.trace": logging.WARNING, "kombu.connection": logging.ERROR}


@contextlib.contextmanager
def emails_kept(folder: str | None = None):
    """Within the block every email goes to ``KeptEmailBackend``, every task runs at once in
    this process (so no worker mails the demo's people either) and Celery's line per task is
    silenced. ``KEPT`` holds the block's emails afterwards."""
    global _folder
    loggers = {name: logging.getLogger(name) for name in QUIET}
    saved = (
        settings.EMAIL_BACKEND,
        current_app.conf.task_always_eager,
        {name: log.level for name, log in loggers.items()},
    )
    KEPT.clear()
    _folder = Path(folder) if folder else None
    if _folder is not None:
        _folder.mkdir(parents=True, exist_ok=True)
    settings.EMAIL_BACKEND = f"{__name__}.KeptEmailBackend"
    current_app.conf.task_always_eager = True
    for name, log in loggers.items():
        log.setLevel(QUIET[name])
    try:
        yield KEPT
    finally:
        settings.EMAIL_BACKEND, current_app.conf.task_always_eager, levels = saved
        for name, log in loggers.items():
            log.setLevel(levels[name])
        _folder = None
