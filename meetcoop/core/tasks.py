from celery import shared_task


@shared_task
def ping() -> str:
    """A task with no side effect, to check that a worker answers."""
    return "pong"
