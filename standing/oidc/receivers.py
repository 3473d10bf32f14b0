"""When a membership's status changes, the tokens of the people it no longer lets in go; when
a person's password changes, all their tokens go."""

from allauth.account.signals import password_changed, password_reset, password_set
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
