"""Pushing forum groups when a status or a circle seat changes (both signals are sent after
the commit; see their contracts in ``membership.signals`` and ``governance.signals``)."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
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


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="standing.discourse.login")
def push_groups_after_login_activation(sender, instance, created=False, **kwargs):
    """A login deactivated (or made active again) in the admin: its groups follow after the
    commit; a deactivated login is in none (``forum_groups``). Whether ``is_active`` changed
    is noted before the save by ``standing.oidc.receivers.note_login_keys_change``."""
    if created or not getattr(instance, "_active_changed", False):
        return
    instance._active_changed = False
    if discourse_sync_enabled():
        user_id = instance.pk
        transaction.on_commit(lambda: discourse_sync_enqueue([user_id]))
