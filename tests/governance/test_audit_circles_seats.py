"""Audit of circle seats, as a coordinator or an attacker would use them: who may be seated,
seats dated ahead, ending seats, the circle's page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import CircleRole
from meetcoop.core.audit import AuditEntry
from meetcoop.core.dates import date_medium
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    MemberFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    UserFactory,
    voting_member,
)

pytestmark = pytest.mark.django_db

TODAY = None


def today():
    return timezone.localdate()


@pytest.fixture
def circle(db):
    return CircleFactory(slug="tech", name="Tech")


@pytest.fixture
def coordinator(circle):
    member, user = voting_member()
    CircleRoleFactory(
        circle=circle,
        member=member,
        role="coordinator",
        started_on=today() - datetime.timedelta(days=30),
    )
    return user


def add_url(circle):
    return reverse("governance:circle_seat_add", args=[circle.slug])


def end_url(circle, seat):
    return reverse("governance:circle_seat_end", args=[circle.slug, seat.pk])


# --- who may be seated -----------------------------------------------------------------------


def user_only_member():
    return MembershipFactory().member


def ended_operational_member():
    return OperationalMembershipFactory(status="ended").member


def applicant_not_admitted():
    return OperationalMembershipFactory(status="pending", admitted_on=None).member


@pytest.mark.parametrize(
    "make",
    [user_only_member, ended_operational_member, applicant_not_admitted, MemberFactory],
    ids=["user-only", "ended", "not-admitted", "no-membership"],
)
def test_only_an_admitted_operational_member_is_seated(circle, coordinator, make):
    """A coordinator seat gives powers over everyone's hours and All Hands attendance: a
    customer, an expelled member or an applicant must never get one through a seat."""
    stranger = make()
    with pytest.raises(ValidationError):
        services.circle_seat_add(
            circle=circle,
            member=stranger,
            role="coordinator",
            started_on=today(),
            actor=coordinator,
        )
    assert not CircleRole.objects.filter(member=stranger).exists()


def test_the_page_refuses_a_member_who_may_not_sit_with_a_form_error(client, circle, coordinator):
    stranger = user_only_member()
    client.force_login(coordinator)
    response = client.post(
        add_url(circle),
        {"member": stranger.pk, "role": "coordinator", "started_on": today().isoformat()},
    )
    assert response.status_code == 400
    assert not CircleRole.objects.filter(member=stranger).exists()


def test_the_seat_form_does_not_list_every_member_of_the_database(client, circle, coordinator):
    """The seat form's menu offers operational members only: a user member's name (a
    customer who never opted in to any list) is not shown to a coordinator."""
    customer = MembershipFactory(member__name="Private Customer").member
    colleague, _ = voting_member(member__name="Open Colleague")
    client.force_login(coordinator)
    page = client.get(reverse("governance:circle_detail", args=[circle.slug])).content.decode()
    assert colleague.name in page
    assert customer.name not in page


def test_a_lapsed_member_may_still_be_seated(circle, coordinator):
    """A lapsed member sitting in no circle needs a seat to become active again."""
    lapsed, _ = voting_member(status="lapsed")
    seat = services.circle_seat_add(
        circle=circle, member=lapsed, role="member", started_on=today(), actor=coordinator
    )
    assert seat.pk


# --- seats dated back ------------------------------------------------------------------------


def test_a_seat_can_not_start_before_the_member_was_admitted(client, circle, coordinator):
    """A seat dated before the member's admission would put it in a circle while it was not
    yet a member: refused on the form, on its date, saying from when it may start."""
    admitted = today() - datetime.timedelta(days=10)
    newcomer, _ = voting_member()
    newcomer.memberships.update(admitted_on=admitted)
    client.force_login(coordinator)
    day_before = admitted - datetime.timedelta(days=1)
    response = client.post(
        add_url(circle),
        {"member": newcomer.pk, "role": "member", "started_on": day_before.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["started_on"] == [
        f"A seat can't start before {newcomer} was admitted, on {date_medium(admitted)}."
    ]
    assert not CircleRole.objects.filter(member=newcomer).exists()
    # From the day of admission on, it is seated.
    seat = services.circle_seat_add(
        circle=circle, member=newcomer, role="member", started_on=admitted, actor=coordinator
    )
    assert seat.started_on == admitted


def test_a_member_whose_admission_day_is_not_recorded_may_be_seated_any_day(circle, coordinator):
    """Memberships older than the platform have no admission day: nothing to compare with."""
    veteran, _ = voting_member()
    veteran.memberships.update(admitted_on=None)
    seat = services.circle_seat_add(
        circle=circle,
        member=veteran,
        role="member",
        started_on=datetime.date(2019, 1, 1),
        actor=coordinator,
    )
    assert seat.started_on == datetime.date(2019, 1, 1)


# --- seats dated ahead -----------------------------------------------------------------------


def test_a_seat_dated_ahead_is_shown_and_can_be_cancelled(client, circle, coordinator):
    """A seat mistakenly dated years ahead must not lock the member out of the circle: it is
    listed, and ending it before it starts cancels it (audited)."""
    newcomer, _ = voting_member(member__name="Future Newcomer")
    far = today().replace(year=today().year + 30)
    seat = services.circle_seat_add(
        circle=circle, member=newcomer, role="member", started_on=far, actor=coordinator
    )
    client.force_login(coordinator)
    page = client.get(reverse("governance:circle_detail", args=[circle.slug])).content.decode()
    assert "Future Newcomer" in page
    assert end_url(circle, seat) in page

    response = client.post(end_url(circle, seat), {"ended_on": today().isoformat()})
    assert response.status_code == 302
    assert not CircleRole.objects.filter(pk=seat.pk).exists()
    assert AuditEntry.objects.filter(action="governance.seat.cancelled").exists()
    # and the member can now be seated from today
    services.circle_seat_add(
        circle=circle, member=newcomer, role="member", started_on=today(), actor=coordinator
    )


def test_a_seat_that_has_started_can_not_end_before_it_started(client, circle, coordinator):
    member, _ = voting_member()
    seat = CircleRoleFactory(
        circle=circle, member=member, started_on=today() - datetime.timedelta(days=3)
    )
    client.force_login(coordinator)
    response = client.post(
        end_url(circle, seat),
        {"ended_on": (today() - datetime.timedelta(days=10)).isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert "can&#x27;t end before it starts" in response.content.decode()
    seat.refresh_from_db()
    assert seat.ended_on is None


# --- who manages the circle ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "ended"),
    [(1, None), (-30, -1)],
    ids=["seat-starts-tomorrow", "seat-ended-yesterday"],
)
def test_a_coordinator_seat_not_held_today_gives_no_power(client, circle, started, ended):
    member, user = voting_member()
    CircleRoleFactory(
        circle=circle,
        member=member,
        role="coordinator",
        started_on=today() + datetime.timedelta(days=started),
        ended_on=ended and today() + datetime.timedelta(days=ended),
    )
    seated, _ = voting_member()
    seat = CircleRoleFactory(circle=circle, member=seated, started_on=today())
    client.force_login(user)
    newcomer, _ = voting_member()
    assert (
        client.post(
            add_url(circle),
            {"member": newcomer.pk, "role": "member", "started_on": today().isoformat()},
        ).status_code
        == 403
    )
    assert client.post(end_url(circle, seat), {"ended_on": today().isoformat()}).status_code == 403


def test_a_coordinator_whose_membership_ended_has_no_power(client, circle):
    """An expelled (ended) member whose seat nobody ended must not go on approving hours and
    recording attendance for the co-op."""
    membership = OperationalMembershipFactory(status="ended")
    contact_user = UserFactory(email=membership.member.email)
    membership.member.contact_links.create(user=contact_user, is_primary=True)
    CircleRoleFactory(
        circle=circle,
        member=membership.member,
        role="coordinator",
        started_on=today() - datetime.timedelta(days=30),
    )
    from governance import selectors

    assert not selectors.is_coordinator_of(contact_user, circle, on=today())
    client.force_login(contact_user)
    assert client.get(reverse("contributions:coordinate")).status_code == 403


def test_the_circle_page_costs_the_same_queries_for_a_bigger_circle(
    client, circle, coordinator, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            member, _ = voting_member()
            CircleRoleFactory(circle=circle, member=member, started_on=today())
            CircleRoleFactory(
                circle=circle,
                member=member,
                started_on=today() - datetime.timedelta(days=20),
                ended_on=today() - datetime.timedelta(days=10),
            )

    client.force_login(coordinator)
    path = reverse("governance:circle_detail", args=[circle.slug])
    grow(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    grow(20)
    with django_assert_max_num_queries(len(small)):
        assert client.get(path).status_code == 200
