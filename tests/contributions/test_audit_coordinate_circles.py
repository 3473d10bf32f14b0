"""Audit of the coordinate page at its edges: a coordinator logs and decides hours of its own
circles only, whatever the URL or the form says, never its own; what it logs is audited
whole; and the page costs the same as the circle and its queue grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from contributions.models import LedgerEntry
from meetcoop.core.audit import AuditEntry
from tests.factories import CircleRoleFactory, LabourEntryFactory

from .conftest import TODAY, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def coordinate():
    return reverse("contributions:coordinate")


def batch(circle, member, **extra):
    return {
        "circle": circle.pk,
        "worked_on": "2026-06-10",
        "description": "Moved the servers",
        f"hours_{member.pk}": "2",
        **extra,
    }


def test_a_forged_circle_in_the_form_logs_nothing(client, coop):
    """Coordinator of Outreach posts the Tech circle's id with a Tech member's hours."""
    client.force_login(coop.coord_out.user)
    response = client.post(coordinate(), batch(coop.tech, coop.member.member))
    assert response.status_code == 404
    assert not LedgerEntry.objects.exists()


def test_a_member_of_another_circle_in_the_form_logs_nothing(client, coop):
    """Coordinator of Tech posts hours for a member seated in Outreach only."""
    other = person(coop.outreach)
    client.force_login(coop.coord_a.user)
    response = client.post(coordinate(), batch(coop.tech, other.member))
    assert response.status_code in (200, 400)
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "worked_on", ["2026-06-16", "2099-01-01", "1900-01-01", "not a date"], ids=str
)
def test_a_day_the_rule_refuses_is_a_form_error(client, coop, worked_on):
    client.force_login(coop.coord_a.user)
    response = client.post(coordinate(), batch(coop.tech, coop.member.member, worked_on=worked_on))
    assert response.status_code in (200, 400)
    assert not LedgerEntry.objects.exists()


def test_paid_work_logged_for_many_is_audited_as_paid_work(client, coop):
    """A batch marked as paid work makes the co-op owe money: its audit says so, as a single
    entry's does."""
    client.force_login(coop.coord_a.user)
    response = client.post(coordinate(), batch(coop.tech, coop.member.member, paid_work="on"))
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.paid_work
    audit = AuditEntry.objects.get(action="contributions.entry.logged", object_id=str(entry.pk))
    assert audit.data["paid_work"] is True


def test_own_hours_logged_by_the_coordinator_wait_for_another(client, coop):
    client.force_login(coop.coord_a.user)
    assert client.post(coordinate(), batch(coop.tech, coop.coord_a.member)).status_code == 302
    entry = LedgerEntry.objects.get()
    page = client.get(coordinate()).content.decode()
    assert reverse("contributions:decide", args=[entry.pk]) not in page
    response = client.post(
        reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == "pending"
    # the other coordinator may
    client.force_login(coop.coord_b.user)
    client.post(reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"})
    entry.refresh_from_db()
    assert entry.status == "approved"
    assert entry.decided_by == coop.coord_b.user


@pytest.mark.parametrize("who", ["coord_out", "member", "stranger", "treasurer"])
def test_nobody_but_a_coordinator_of_the_circle_decides_by_guessing_the_id(client, coop, who):
    entry = LabourEntryFactory(
        member=coop.member.member, circle=coop.tech, occurred_on=datetime.date(2026, 6, 1)
    )
    client.force_login(getattr(coop, who).user)
    response = client.post(
        reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"}
    )
    assert response.status_code in (403, 404)
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_a_coordinator_whose_seat_starts_tomorrow_decides_nothing(client, coop):
    newcomer = person()
    CircleRoleFactory(
        circle=coop.tech,
        member=newcomer.member,
        role="coordinator",
        started_on=TODAY + datetime.timedelta(days=1),
    )
    entry = LabourEntryFactory(
        member=coop.member.member, circle=coop.tech, occurred_on=datetime.date(2026, 6, 1)
    )
    client.force_login(newcomer.user)
    assert client.get(coordinate()).status_code == 403
    response = client.post(
        reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_deciding_twice_decides_once(client, coop):
    entry = LabourEntryFactory(
        member=coop.member.member, circle=coop.tech, occurred_on=datetime.date(2026, 6, 1)
    )
    client.force_login(coop.coord_a.user)
    url = reverse("contributions:decide", args=[entry.pk])
    client.post(url, {"decision": "approve"})
    client.force_login(coop.coord_b.user)
    response = client.post(url, {"decision": "reject"}, follow=True)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.status == "approved"
    assert entry.decided_by == coop.coord_a.user


def test_the_coordinate_page_costs_the_same_for_a_bigger_circle_and_queue(
    client, coop, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            someone = person(coop.tech)
            LabourEntryFactory(
                member=someone.member,
                circle=coop.tech,
                occurred_on=datetime.date(2026, 6, 1),
                logged_by=someone.user,
            )

    client.force_login(coop.coord_a.user)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(coordinate()).status_code == 200
    grow(25)
    with django_assert_max_num_queries(len(small)):
        assert client.get(coordinate()).status_code == 200
