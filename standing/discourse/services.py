"""Writes for the forum: answering DiscourseConnect, pushing groups with ``sync_sso``, and
recording what failed so a co-op admin sees it."""

import datetime
import logging
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.users.models import User

from . import codec
from .models import DiscourseNonce, ForumAccount, ForumSyncFailure
from .selectors import forum_groups, forum_username, managed_groups, verified_user_ids

logger = logging.getLogger(__name__)

# A nonce is remembered this long; Discourse refuses its own after ten minutes.
NONCE_KEPT = datetime.timedelta(days=1)
# (connect, read) seconds for one sync_sso request.
SYNC_TIMEOUT = (5, 15)


def _unreadable() -> str:
    return _(
        "The forum's sign-in request could not be read. Go back to the forum and sign in again."
    )


class ConnectRefused(Exception):
    """A DiscourseConnect request the platform won't answer, with what to tell the person."""

    def __init__(self, message: str, *, status: int = 403):
        super().__init__(message)
        self.message = message
        self.status = status


def _is_forum_url(url: str) -> bool:
    """Whether ``url`` is on the configured forum (same scheme and host, under its path). A
    path with a dot segment (``..``, ``.``, also percent-encoded) or a backslash is refused:
    the browser would resolve it out of a forum that lives under a path."""
    try:
        forum, target = urlsplit(settings.DISCOURSE_URL), urlsplit(url)
    except ValueError:  # an unreadable address (``http://[::1/``) is nobody's forum
        return False
    base_path = forum.path.rstrip("/")
    segments = unquote(target.path).replace("\\", "/").split("/")
    return (
        target.scheme.lower() == forum.scheme.lower()
        and target.netloc.lower() == forum.netloc.lower()
        and (target.path == base_path or target.path.startswith(base_path + "/"))
        and "\\" not in url
        and not any(segment in (".", "..") for segment in segments)
    )


def connect_request_read(*, sso: str, sig: str) -> dict[str, str]:
    """The fields of Discourse's sign-in request, or ``ConnectRefused``: a signature that does
    not match (an altered payload), a payload that can't be read, no nonce, or a return
    address that is not the forum's."""
    try:
        fields = codec.decode(sso, sig, settings.DISCOURSE_CONNECT_SECRET)
    except codec.PayloadError as error:
        if error.code == "bad_signature":
            raise ConnectRefused(
                _(
                    "The forum's sign-in request was not signed with the forum's secret. Go "
                    "back to the forum and sign in again."
                )
            ) from None
        raise ConnectRefused(
            _unreadable(),
            status=400,
        ) from None
    nonce = fields.get("nonce", "")
    if (
        not nonce
        or len(nonce) > DiscourseNonce._meta.get_field("nonce").max_length
        or "\x00" in nonce  # PostgreSQL stores no NUL: the nonce's row would be a 500
    ):
        raise ConnectRefused(
            _unreadable(),
            status=400,
        )
    if not _is_forum_url(fields.get("return_sso_url", "")):
        raise ConnectRefused(
            _("The forum's sign-in request asks to go back to another site than the forum.")
        )
    return fields


def person_payload(user: User, *, groups: set[str], managed: set[str], verified: bool) -> dict:
    """What Discourse is told about ``user``: the same at sign-in and in ``sync_sso``.

    ``external_id`` is the login's id, which never changes (an email address may)."""
    return {
        "external_id": str(user.pk),
        "email": user.email,
        "username": forum_username(user.email),
        "name": user.name or None,
        "require_activation": not verified,
        "add_groups": sorted(groups) or None,
        "remove_groups": sorted(managed - groups) or None,
        "locale": user.language or None,
        "suppress_welcome_message": True,
    }


def connect_answer(*, user: User, fields: dict[str, str], on: datetime.date) -> str:
    """Answer a checked sign-in request for ``user``: the nonce is spent (a second use is
    refused), the person is remembered as a forum user, and the address to send the browser
    back to, with the signed answer, is returned."""
    now = timezone.now()
    try:
        with transaction.atomic():
            DiscourseNonce.objects.create(nonce=fields["nonce"], user=user, used_at=now)
    except IntegrityError:
        raise ConnectRefused(
            _("This sign-in request was already used. Go back to the forum and sign in again.")
        ) from None
    with transaction.atomic():
        account, created = ForumAccount.objects.get_or_create(
            user=user, defaults={"first_signed_in_at": now, "last_signed_in_at": now}
        )
        if not created:
            ForumAccount.objects.filter(pk=account.pk).update(last_signed_in_at=now)
        DiscourseNonce.objects.filter(used_at__lt=now - NONCE_KEPT).delete()
    payload = person_payload(
        user,
        groups=forum_groups([user.pk], on=on)[user.pk],
        managed=managed_groups(),
        verified=bool(verified_user_ids([user.pk])),
    )
    sso, sig = codec.encode(
        {"nonce": fields["nonce"], "return_sso_url": fields["return_sso_url"], **payload},
        settings.DISCOURSE_CONNECT_SECRET,
    )
    # The answer joins the address's own query, before any #fragment, as a browser reads it.
    url = urlsplit(fields["return_sso_url"])
    answer = urlencode({"sso": sso, "sig": sig})
    return urlunsplit(url._replace(query=f"{url.query}&{answer}" if url.query else answer))


# --- pushing groups --------------------------------------------------------------------------


@dataclass
class PushOutcome:
    synced: list[int] = field(default_factory=list)
    to_retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"synced": self.synced, "to_retry": self.to_retry, "failed": self.failed}


def _sync_sso(payload: dict) -> tuple[int | None, str]:
    """POST one person's payload to the forum's ``sync_sso``: ``(status, error)``, with
    ``status`` None when the forum could not be reached and ``error`` empty on success."""
    sso, sig = codec.encode(payload, settings.DISCOURSE_CONNECT_SECRET)
    try:
        response = requests.post(
            f"{settings.DISCOURSE_URL}/admin/users/sync_sso",
            data={"sso": sso, "sig": sig},
            headers={
                "Api-Key": settings.DISCOURSE_API_KEY,
                "Api-Username": settings.DISCOURSE_API_USERNAME,
                "Accept": "application/json",
            },
            timeout=SYNC_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:2000]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}: {response.text[:1000]}"


def _transient(status: int | None) -> bool:
    """Worth trying again later: unreachable, rate-limited, or the forum's own error."""
    return status is None or status == 429 or status >= 500


def forum_groups_push(*, user_ids, on: datetime.date, may_retry: bool) -> PushOutcome:
    """Push the current groups of each of ``user_ids`` that entered the forum, one
    ``sync_sso`` each. Sending the same groups twice changes nothing on the forum, so this is
    safe to repeat. A failure is recorded (``ForumSyncFailure``) at once, marked to be
    retried when it is transient and ``may_retry``; a success resolves the person's open
    failure. Returns who was synced, who should be retried, and who failed for good."""
    outcome = PushOutcome()
    users = list(
        User.objects.filter(pk__in=list(user_ids), forum_account__isnull=False).order_by("pk")
    )
    if not users:
        return outcome
    ids = [user.pk for user in users]
    groups = forum_groups(ids, on=on)
    managed = managed_groups()
    verified = verified_user_ids(ids)
    for user in users:
        payload = person_payload(
            user, groups=groups[user.pk], managed=managed, verified=user.pk in verified
        )
        status, error = _sync_sso(payload)
        if not error:
            outcome.synced.append(user.pk)
            continue
        retry = may_retry and _transient(status)
        (outcome.to_retry if retry else outcome.failed).append(user.pk)
        logger.warning("sync_sso for user %s failed: %s", user.pk, error)
        forum_sync_failure_record(user=user, status_code=status, error=error, will_retry=retry)
    if outcome.synced:
        ForumSyncFailure.objects.filter(
            user_id__in=outcome.synced, resolved_at__isnull=True
        ).update(resolved_at=timezone.now(), will_retry=False)
    return outcome


def forum_sync_failure_record(*, user, status_code, error: str, will_retry: bool):
    """Record a failed push for ``user``: its open failure counts one more attempt, or a new
    one is opened (two workers opening one at once: the second counts on the first's)."""
    now = timezone.now()
    for _attempt in range(2):
        with transaction.atomic():
            failure = (
                ForumSyncFailure.objects.select_for_update()
                .filter(user=user, resolved_at__isnull=True)
                .first()
            )
            if failure is not None:
                failure.status_code = status_code
                failure.error = error
                failure.will_retry = will_retry
                failure.attempts += 1
                failure.last_failed_at = now
                failure.save(
                    update_fields=[
                        "status_code",
                        "error",
                        "will_retry",
                        "attempts",
                        "last_failed_at",
                    ]
                )
                return failure
            try:
                with transaction.atomic():
                    return ForumSyncFailure.objects.create(
                        user=user,
                        status_code=status_code,
                        error=error,
                        will_retry=will_retry,
                        first_failed_at=now,
                        last_failed_at=now,
                    )
            except IntegrityError:
                continue
    return None
