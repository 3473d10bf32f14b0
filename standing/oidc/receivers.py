"""When a membership's status changes, the tokens of the people it no longer lets in go; when
a person's password changes, however it was changed, or their login is deactivated, all their
tokens go."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from membership.signals import statuses_changed

# At most this many memberships per revocation task.
REVOKE_BATCH = 1000


@receiver(statuses_changed, dispatch_uid="standing.oidc.revoke_tokens")
def revoke_tokens_on_status_change(sender, membership_ids, **kwargs):
    """A membership lapsed, ended or was suspended (or became active again): enqueue the
    revocation of the refresh and access tokens of its people for the services they may no
    longer use. Reinstating needs nothing: the next sign-in is let in."""
    from ..tasks import revoke_service_tokens

    # The status job moves tens of thousands at once: a task per batch, not one message
    # holding every id.
    ids = sorted(set(membership_ids))
    for start in range(0, len(ids), REVOKE_BATCH):
        revoke_service_tokens.delay(ids[start : start + REVOKE_BATCH])


@receiver(password_changed, dispatch_uid="standing.oidc.revoke_on_password_changed")
@receiver(password_set, dispatch_uid="standing.oidc.revoke_on_password_set")
@receiver(password_reset, dispatch_uid="standing.oidc.revoke_on_password_reset")
def revoke_tokens_on_password_change(sender, request=None, user=None, **kwargs):
    """A changed or reset password ends the tokens the person's services hold: whoever took
    a token with the old password (a stolen refresh token) keeps nothing."""
    from .services import tokens_revoke_all

    if user is not None:
        tokens_revoke_all(user=user)


# The fields of a login whose change ends its tokens.
LOGIN_KEYS = frozenset({"password", "is_active"})


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="standing.oidc.login_keys")
def note_login_keys_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a login is saved, note whether its password changes or it is deactivated: in
    the Django admin (the password form, the active box), by ``manage.py changepassword``, or
    by any code that saves the login, not only through the account pages whose own signals
    are received above. One query, and only when the save may write those fields."""
    instance._ends_service_tokens = False
    instance._active_changed = False  # read by standing.discourse.receivers
    if raw or instance.pk is None:
        return
    if update_fields is not None and not LOGIN_KEYS & set(update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    instance._ends_service_tokens = stored["password"] != instance.password or (
        stored["is_active"] and not instance.is_active
    )
    instance._active_changed = stored["is_active"] != instance.is_active


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="standing.oidc.login_saved")
def revoke_tokens_on_login_keys_change(sender, instance, created=False, **kwargs):
    """A login saved with a new password, or deactivated: its services' tokens go, in the
    same transaction as the save (a save rolled back keeps them)."""
    from .services import tokens_revoke_all

    if not created and getattr(instance, "_ends_service_tokens", False):
        instance._ends_service_tokens = False
        tokens_revoke_all(user=instance)
