"""The header shows each person the pages their roles give: ``ROLES`` in every template."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .selectors.home import Roles, roles_of


def request_roles(request) -> Roles:
    """The roles of the signed-in person, read once per request (at most two queries, and
    none for a page that never asks)."""
    roles = getattr(request, "_standing_roles", None)
    if roles is None:
        roles = roles_of(getattr(request, "user", None), on=timezone.localdate())
        request._standing_roles = roles
    return roles


def roles(request):
    return {"ROLES": SimpleLazyObject(lambda: request_roles(request))}
