"""Waged roles: published by the co-op or a circle's coordinator; only members whose
operational membership is active apply, until the closing day; a coordinator of the circle or
a co-op admin decides once; holders are listed with dates; hours in a role are paid work and
never count toward the voluntary commitment."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from contributions import selectors as contribution_selectors
from contributions import services as contribution_services
from contributions.models import Compensation
from governance import services
from governance.models import RoleApplication, RoleHolder
from meetcoop.core.errors import DomainError
from membership.models import Policy
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def person(circle=None, role="member", status="active", operational=True):
    contact = MemberContactFactory()
    if operational:
        OperationalMembershipFactory(member=contact.member, status=status)
    else:
        MembershipFactory(member=contact.member, status=status)
    if circle is not None:
        CircleRoleFactory(circle=circle, member=contact.member, role=role)
    return contact


@pytest.fixture
def tech(db):
    PolicyFactory()
    return CircleFactory(name="Tech", slug="tech")


def publish(circle, actor, closes_on=None):
    closes_on = closes_on or datetime.date.today() + datetime.timedelta(days=10)
    return services.role_publish(
        title="Server caretaker",
        circle=circle,
        description="Keep the servers patched.",
        hours_per_month="20",
        pay_per_month="400",
        currency="EUR",
        closes_on=closes_on,
        actor=actor,
        on=TODAY,
    )


def test_a_coordinator_publishes_for_their_circle_only(tech):
    coordinator = person(tech, "coordinator")
    assert publish(tech, coordinator.user).circle == tech
    with pytest.raises(PermissionDenied):
        publish(CircleFactory(), coordinator.user)
    with pytest.raises(PermissionDenied):
        publish(None, coordinator.user)  # a role of the whole co-op is the co-op's to publish
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert publish(None, admin).circle is None


def test_only_active_operational_members_apply_until_the_closing_day(tech):
    role = publish(tech, person(tech, "coordinator").user, closes_on=TODAY)
    active = person()
    services.role_apply(
        role=role, member=active.member, statement="I patch.", actor=active.user, on=TODAY
    )
    for refused in (person(status="lapsed"), person(operational=False)):
        with pytest.raises(DomainError, match="operational membership is active"):
            services.role_apply(
                role=role, member=refused.member, statement="Me", actor=refused.user, on=TODAY
            )
    late = person()
    with pytest.raises(DomainError, match="closed"):
        services.role_apply(
            role=role,
            member=late.member,
            statement="Me",
            actor=late.user,
            on=TODAY + datetime.timedelta(days=1),
        )
    with pytest.raises(DomainError, match="already applied"):
        services.role_apply(
            role=role, member=active.member, statement="Again", actor=active.user, on=TODAY
        )


def test_a_coordinator_decides_once_and_the_holder_is_listed(client, tech):
    coordinator = person(tech, "coordinator")
    role = publish(tech, coordinator.user)
    applicant = person()
    application = services.role_apply(
        role=role, member=applicant.member, statement="I patch.", actor=applicant.user, on=TODAY
    )
    with pytest.raises(PermissionDenied):
        services.role_application_decide(application=application, accept=True, actor=applicant.user)
    with pytest.raises(PermissionDenied):  # a coordinator of another circle
        services.role_application_decide(
            application=application, accept=True, actor=person(CircleFactory(), "coordinator").user
        )
    services.role_application_decide(
        application=application, accept=True, actor=coordinator.user, on=TODAY
    )
    with pytest.raises(DomainError, match="already decided"):
        services.role_application_decide(
            application=application, accept=False, actor=coordinator.user, on=TODAY
        )
    holder = RoleHolder.objects.get()
    assert (holder.member, holder.started_on) == (applicant.member, TODAY)
    client.force_login(applicant.user)
    page = client.get(reverse("governance:circle_detail", args=[tech.slug])).content.decode()
    assert "Server caretaker" in page and applicant.member.display_name in page


def test_hours_in_a_role_are_paid_work_never_voluntary_never_owed_on_top(tech):
    Policy.objects.update(compensation_hour_rate=Decimal("20.00"))
    coordinator, other = person(tech, "coordinator"), person(tech, "coordinator")
    role = publish(tech, coordinator.user)
    holder = person(tech)
    application = services.role_apply(
        role=role, member=holder.member, statement="Me", actor=holder.user, on=TODAY
    )
    services.role_application_decide(
        application=application, accept=True, actor=coordinator.user, on=TODAY
    )
    with pytest.raises(DomainError, match="did not hold the role"):
        contribution_services.labour_log(
            member=holder.member,
            circle=tech,
            hours="3",
            worked_on=TODAY - datetime.timedelta(days=1),
            description="Patching",
            actor=holder.user,
            on=TODAY,
            waged_role=role,
        )
    entry = contribution_services.labour_log(
        member=holder.member,
        circle=tech,
        hours="3",
        worked_on=TODAY,
        description="Patching",
        actor=holder.user,
        on=TODAY,
        waged_role=role,
    )
    assert entry.paid_work
    contribution_services.entry_approve(entry=entry, actor=other.user, on=TODAY)
    membership = holder.member.memberships.get(type="operational")
    assert contribution_selectors.commitment_progress(membership).hours == 0
    assert not Compensation.objects.exists()  # the role pays these hours


def test_the_role_pages_apply_and_decide(client, tech):
    coordinator = person(tech, "coordinator")
    role = publish(tech, coordinator.user)
    applicant = person()
    client.force_login(applicant.user)
    listing = client.get(reverse("governance:role_list")).content.decode()
    assert "Server caretaker" in listing and "Publish a role" not in listing
    response = client.post(
        reverse("governance:role_detail", args=[role.pk]),
        {"member": applicant.member.pk, "statement": "I patch servers."},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("governance:role_detail", args=[role.pk]),
        {"member": applicant.member.pk, "statement": "Twice"},
    )
    assert response.status_code == 400 and "already applied" in response.content.decode()
    application = RoleApplication.objects.get()
    assert (
        client.post(
            reverse("governance:role_decide", args=[application.pk]), {"decision": "accept"}
        ).status_code
        == 403
    )
    client.force_login(coordinator.user)
    client.post(reverse("governance:role_decide", args=[application.pk]), {"decision": "accept"})
    application.refresh_from_db()
    assert application.status == "accepted"


def test_a_holding_ends_once_and_hours_after_it_are_not_in_the_role(client, tech):
    coordinator = person(tech, "coordinator")
    role = publish(tech, coordinator.user)
    holder = person(tech)
    application = services.role_apply(
        role=role, member=holder.member, statement="Me", actor=holder.user, on=TODAY
    )
    services.role_application_decide(
        application=application, accept=True, actor=coordinator.user, on=TODAY
    )
    holding = RoleHolder.objects.get()
    with pytest.raises(PermissionDenied):
        services.role_holding_end(holder=holding, ended_on=TODAY, actor=holder.user, on=TODAY)
    with pytest.raises(DomainError, match="before the first"):
        services.role_holding_end(
            holder=holding, ended_on=TODAY - datetime.timedelta(days=1), actor=coordinator.user
        )
    client.force_login(coordinator.user)
    response = client.post(
        reverse("governance:role_holding_end", args=[holding.pk]),
        {"ended_on": (TODAY + datetime.timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 302
    holding.refresh_from_db()
    assert holding.ended_on == TODAY + datetime.timedelta(days=5)
    with pytest.raises(DomainError, match="already ended"):
        services.role_holding_end(holder=holding, ended_on=TODAY, actor=coordinator.user)
    assert (
        client.post(
            reverse("governance:role_holding_end", args=[holding.pk]), {"ended_on": "garbage"}
        ).status_code
        == 302
    )  # a message, not a 500
    with pytest.raises(DomainError, match="did not hold the role"):
        contribution_services.labour_log(
            member=holder.member,
            circle=tech,
            hours="2",
            worked_on=TODAY + datetime.timedelta(days=6),
            description="After the end",
            actor=holder.user,
            on=TODAY + datetime.timedelta(days=7),
            waged_role=role,
        )


def test_a_coordinator_never_decides_their_own_application(tech):
    coordinator, other = person(tech, "coordinator"), person(tech, "coordinator")
    role = publish(tech, coordinator.user)
    application = services.role_apply(
        role=role, member=coordinator.member, statement="Me", actor=coordinator.user, on=TODAY
    )
    with pytest.raises(PermissionDenied, match="their own application"):
        services.role_application_decide(
            application=application, accept=True, actor=coordinator.user, on=TODAY
        )
    services.role_application_decide(
        application=application, accept=True, actor=other.user, on=TODAY
    )
    assert RoleHolder.objects.get().member == coordinator.member
