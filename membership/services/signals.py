"""Sending membership's signals after commit (see each signal's contract in
``membership.signals``)."""

import logging
from collections.abc import Iterable

from django.db import transaction

from ..signals import statuses_changed

logger = logging.getLogger(__name__)


def statuses_changed_after_commit(membership_ids: Iterable[int]) -> None:
    """Send ``statuses_changed`` for ``membership_ids`` once the current transaction commits."""
    ids = sorted(set(membership_ids))
    if not ids:
        return

    def send():
        for receiver, result in statuses_changed.send_robust(sender=None, membership_ids=ids):
            if isinstance(result, Exception):
                logger.error("statuses_changed receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
