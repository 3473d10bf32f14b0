"""Waged roles: who manages a role, the roles open for applications, a person's applications,
and the roles a member holds."""

import datetime

from django.db.models import QuerySet

from meetcoop.core.roles import is_coop_admin
from membership.selectors import members_of_user

from ..models import Circle, RoleApplication, RoleHolder, WagedRole
from .circles import can_manage_circle, circles_coordinated_by


def can_manage_role(user, circle, *, on: datetime.date) -> bool:
    """A co-op admin manages every role (the whole co-op's too); a circle's coordinator, the
    roles of that circle."""
    if circle is None:
        return is_coop_admin(user)
    return can_manage_circle(user, circle, on=on)


def circles_to_publish_for(user, *, on: datetime.date) -> QuerySet[Circle]:
    """The circles ``user`` may publish a role for, by name: every circle for a co-op admin,
    the circles it coordinates on ``on`` for anyone else."""
    if is_coop_admin(user):
        return Circle.objects.order_by("name")
    return circles_coordinated_by(user, on=on).order_by("name")


def open_roles(*, on: datetime.date) -> QuerySet[WagedRole]:
    """Roles whose applications are still open on ``on``, closing soonest first."""
    return (
        WagedRole.objects.filter(closes_on__gte=on)
        .select_related("circle")
        .order_by("closes_on", "title")
    )


def role_applications_of(user) -> QuerySet[RoleApplication]:
    """The role applications of the members ``user`` acts for."""
    return RoleApplication.objects.filter(member__in=members_of_user(user)).select_related(
        "role", "member"
    )


def roles_held_by(member, *, on: datetime.date) -> list[int]:
    """Ids of the waged roles ``member`` holds on ``on`` (one query)."""
    return list(
        WagedRole.objects.filter(holders__member=member, holders__started_on__lte=on)
        .exclude(holders__ended_on__lt=on)
        .distinct()
        .values_list("pk", flat=True)
    )


def role_holders_of_circle(circle, *, limit: int = 50) -> QuerySet[RoleHolder]:
    """The holdings of ``circle``'s waged roles, latest first, with their role and member (one
    query): the circle's page lists them with their dates."""
    return (
        RoleHolder.objects.filter(role__circle=circle)
        .select_related("role", "member")
        .order_by("-started_on", "-pk")[:limit]
    )
