"""The Celery task that pushes people's forum groups."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

# At most this many people per task; a larger change is split into several tasks.
BATCH = 100
MAX_RETRIES = 6


@shared_task(bind=True, name="standing.discourse_sync", max_retries=MAX_RETRIES)
def discourse_sync(self, user_ids: list[int]) -> dict:
    """Push the current forum groups of ``user_ids`` with Discourse's ``sync_sso``.

    Idempotent: each push sends the groups as they are now, so a repeat changes nothing.
    Those the forum could not take for a passing reason (unreachable, 429, 5xx) are tried
    again, alone, with exponential backoff (30 s doubling to an hour, with jitter) up to
    ``MAX_RETRIES`` times; a 4xx is not retried. Every failure is recorded for the co-op
    admin (``ForumSyncFailure``) at once, and a later success resolves it."""
    from .selectors import discourse_sync_enabled
    from .services import forum_groups_push

    if not discourse_sync_enabled():
        return {"skipped": "the forum's URL, secret or API key is not configured"}
    retries, synced = self.request.retries, []
    while True:
        outcome = forum_groups_push(
            user_ids=user_ids, on=timezone.localdate(), may_retry=retries < self.max_retries
        )
        synced += outcome.synced
        if not outcome.to_retry:
            return {**outcome.as_dict(), "synced": synced}
        if not self.request.is_eager:
            countdown = get_exponential_backoff_interval(
                factor=30, retries=retries, maximum=3600, full_jitter=True
            )
            raise self.retry(args=[outcome.to_retry], countdown=countdown)
        # No worker to come back later (the tests, the embedded default without Redis): the
        # next attempt runs at once, as Celery's own eager retry would.
        retries, user_ids = retries + 1, outcome.to_retry


def discourse_sync_enqueue(user_ids) -> int:
    """Enqueue ``discourse_sync`` for ``user_ids`` in batches; returns how many people."""
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), BATCH):
        discourse_sync.delay(ids[start : start + BATCH])
    return len(ids)
