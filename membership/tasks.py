from celery import shared_task


@shared_task
def send_status_notices() -> int:
    """Send the status emails not sent yet (safe to run twice or concurrently)."""
    from .services import status_notices_send

    return status_notices_send()
