"""A small co-op for the contributions tests: one policy, a circle with two coordinators and
a member, a treasurer, each person a login acting for its member."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group

from meetcoop.core.roles import TREASURERS
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    MemberContactFactory,
    OperationalMembershipFactory,
    PolicyFactory,
)

TODAY = datetime.date(2026, 6, 15)


def person(circle=None, role="member", **membership):
    """A member with a login, an operational membership, and optionally a seat."""
    contact = MemberContactFactory()
    op = OperationalMembershipFactory(member=contact.member, **membership)
    if circle is not None:
        CircleRoleFactory(circle=circle, member=contact.member, role=role)
    return SimpleNamespace(user=contact.user, member=contact.member, membership=op)


@pytest.fixture
def coop(db):
    PolicyFactory()
    tech = CircleFactory(name="Tech", slug="tech")
    outreach = CircleFactory(name="Outreach", slug="outreach")
    treasurer = person()
    treasurer.user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return SimpleNamespace(
        tech=tech,
        outreach=outreach,
        coord_a=person(tech, "coordinator"),
        coord_b=person(tech, "coordinator"),
        coord_out=person(outreach, "coordinator"),
        member=person(tech),
        treasurer=treasurer,
        stranger=person(),
    )
