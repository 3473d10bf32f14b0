"""Reads of the governance app."""

import datetime

from django.db.models import Q, QuerySet

from .models import Circle, CircleRole


def seats_on(on: datetime.date) -> Q:
    """A filter for seats held on ``on`` (start on or before, no end or end on or after)."""
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def circles_coordinated_by(user, *, on: datetime.date) -> QuerySet[Circle]:
    """Circles in which one of ``user``'s members is coordinator on ``on``."""
    if not getattr(user, "is_authenticated", False):
        return Circle.objects.none()
    seats = CircleRole.objects.filter(
        seats_on(on), role=CircleRole.Role.COORDINATOR, member__contact_links__user=user
    )
    return Circle.objects.filter(pk__in=seats.values("circle_id"))
