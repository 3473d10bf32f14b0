"""Pushing forum groups when a status or a circle seat changes (both signals are sent after
the commit; see their contracts in ``membership.signals`` and ``governance.signals``)."""

from django.dispatch import receiver

from governance.signals import seats_changed
from membership.signals import statuses_changed

from .selectors import discourse_sync_enabled, forum_users_of_members, forum_users_of_memberships
from .tasks import discourse_sync_enqueue


@receiver(statuses_changed, dispatch_uid="standing.discourse.statuses_changed")
def push_groups_after_status_change(sender, membership_ids, **kwargs):
    if discourse_sync_enabled():
        discourse_sync_enqueue(forum_users_of_memberships(membership_ids))


@receiver(seats_changed, dispatch_uid="standing.discourse.seats_changed")
def push_groups_after_seat_change(sender, member_ids, **kwargs):
    if discourse_sync_enabled():
        discourse_sync_enqueue(forum_users_of_members(member_ids))
