"""Reads for the forum: who may enter it and which of the platform's groups each person is
in, set-based for any number of people."""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import F

from governance.models import Circle, CircleRole
from governance.selectors.circles import seats_on
from meetcoop.core.db import in_ids
from membership.models import MemberContact, Membership
from membership.selectors import members_of_user

from .models import ForumAccount

OPERATIONAL_GROUP = "operational-members"
USER_GROUP = "user-members"
TYPE_GROUPS = {
    Membership.Type.OPERATIONAL: OPERATIONAL_GROUP,
    Membership.Type.USER: USER_GROUP,
}


def discourse_enabled() -> bool:
    """The forum's sign-in is on: a URL and a shared secret are configured."""
    return bool(settings.DISCOURSE_URL and settings.DISCOURSE_CONNECT_SECRET)


def discourse_sync_enabled() -> bool:
    """Groups are pushed with ``sync_sso``: sign-in is on and an API key is configured."""
    return discourse_enabled() and bool(settings.DISCOURSE_API_KEY)


def circle_group(slug: str) -> str:
    return f"{settings.DISCOURSE_CIRCLE_GROUP_PREFIX}{slug}"


def managed_groups() -> set[str]:
    """Every forum group the platform manages: the two membership groups and one per circle.
    A person is removed from each of these they are not in."""
    slugs = Circle.objects.values_list("slug", flat=True)
    return {OPERATIONAL_GROUP, USER_GROUP, *(circle_group(slug) for slug in slugs)}


def entered_forum_before(user) -> bool:
    """Whether ``user`` has a forum account already (entered the forum from here before)."""
    return ForumAccount.objects.filter(user=user).exists()


def may_enter_forum(user) -> bool:
    """Whether ``user`` acts for a member with an active membership (of either type)."""
    return Membership.objects.filter(
        member__in=members_of_user(user), status=Membership.Status.ACTIVE
    ).exists()


def forum_groups(user_ids: Iterable[int], *, on: datetime.date) -> dict[int, set[str]]:
    """The groups each login of ``user_ids`` is in on ``on``, through every member it acts
    for: ``operational-members`` and ``user-members`` while such a membership is active, and
    a circle's group while one of its members holds a seat there. A deactivated login is in
    none (it signs in nowhere). Three queries whatever the number of people."""
    user_ids = set(user_ids)
    groups: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    users_of_member: dict[int, set[int]] = defaultdict(set)
    for user_id, member_id in MemberContact.objects.filter(
        user_id__in=user_ids, user__is_active=True
    ).values_list("user_id", "member_id"):
        users_of_member[member_id].add(user_id)
    if not users_of_member:
        return groups
    member_ids = list(users_of_member)
    member_groups: dict[int, set[str]] = defaultdict(set)
    active = Membership.objects.filter(
        member_id__in=member_ids, status=Membership.Status.ACTIVE
    ).values_list("member_id", "type")
    for member_id, kind in active:
        member_groups[member_id].add(TYPE_GROUPS[kind])
    seats = CircleRole.objects.filter(seats_on(on), member_id__in=member_ids).values_list(
        "member_id", "circle__slug"
    )
    for member_id, slug in seats:
        member_groups[member_id].add(circle_group(slug))
    for member_id, names in member_groups.items():
        for user_id in users_of_member[member_id]:
            groups[user_id] |= names
    return groups


def forum_users_of_members(member_ids: Iterable[int]) -> list[int]:
    """The logins acting for ``member_ids`` that have entered the forum (one query)."""
    return sorted(
        set(
            ForumAccount.objects.filter(
                user__member_links__member_id__in=list(member_ids)
            ).values_list("user_id", flat=True)
        )
    )


def forum_users_of_memberships(membership_ids: Iterable[int]) -> list[int]:
    """The logins acting for the members of ``membership_ids`` that entered the forum."""
    members = Membership.objects.filter(in_ids("pk", membership_ids)).values("member_id")
    return sorted(
        set(
            ForumAccount.objects.filter(user__member_links__member_id__in=members).values_list(
                "user_id", flat=True
            )
        )
    )


def forum_username(email: str) -> str:
    """A username for Discourse to start from (it makes it unique and valid itself): the
    address's local part with only letters, digits, ``_``, ``.`` and ``-``."""
    local = re.sub(r"[^A-Za-z0-9_.-]+", "_", email.split("@", 1)[0]).strip("_.-")
    return (local or "member")[:20]


def verified_user_ids(user_ids: Iterable[int]) -> set[int]:
    """The logins whose sign-in address is verified (allauth), so Discourse needn't ask."""
    from allauth.account.models import EmailAddress

    return set(
        EmailAddress.objects.filter(
            user_id__in=list(user_ids), verified=True, email__iexact=F("user__email")
        ).values_list("user_id", flat=True)
    )
