"""Standing's own rows: only the forum's (``standing.discourse.models``). Every other fact it
reads belongs to a lower app."""

from .discourse.models import DiscourseNonce, ForumAccount, ForumSyncFailure

__all__ = ["DiscourseNonce", "ForumAccount", "ForumSyncFailure"]
