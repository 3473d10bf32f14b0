from celery import shared_task

from .submissions import submission_keys_purge


@shared_task
def ping() -> str:
    """A task with no side effect, to check that a worker answers."""
    return "pong"


@shared_task(name="core.purge_submission_keys")
def purge_submission_keys() -> int:
    """Delete the forms' one-time keys older than 30 days (nightly); the number deleted.
    Running it twice deletes nothing more."""
    return submission_keys_purge()
