"""Reads of the resellers app."""

from django.db.models import QuerySet

from meetcoop.core.roles import is_coop_admin

from .models import Steward


def stewards_visible_to(user) -> QuerySet[Steward]:
    """The stewards whose rows ``user`` may see: all for a co-op admin, else those it runs."""
    if is_coop_admin(user):
        return Steward.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Steward.objects.none()
    return Steward.objects.filter(admins=user)


def public_stewards() -> QuerySet[Steward]:
    return Steward.objects.filter(accepting_applications=True).order_by("kind", "name")
