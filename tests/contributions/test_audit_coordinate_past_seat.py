"""A coordinator logs hours after the work: for a member who sat in the circle on the day
worked, also once that seat has ended, and for nobody else, whatever the form is sent with."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from contributions.models import LedgerEntry
from tests.factories import CircleRoleFactory

from .conftest import TODAY, person

pytestmark = pytest.mark.django_db

LAST_WEEK = TODAY - datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def coordinate():
    return reverse("contributions:coordinate")


def former(circle, *, started_on=datetime.date(2026, 1, 1), ended_on=LAST_WEEK):
    """A member whose seat in ``circle`` has ended."""
    who = person()
    CircleRoleFactory(circle=circle, member=who.member, started_on=started_on, ended_on=ended_on)
    return who


def batch(circle, member, worked_on):
    return {
        "circle": circle.pk,
        "worked_on": worked_on.isoformat(),
        "description": "Moved the servers",
        f"hours_{member.pk}": "5",
    }


def test_hours_of_a_member_who_left_last_week_are_logged_for_a_day_it_sat(client, coop):
    left = former(coop.tech)
    client.force_login(coop.coord_a.user)

    page = client.get(coordinate())
    assert left.member in page.context["form"].members
    assert "Seat ended on" in page.content.decode()

    worked_on = LAST_WEEK - datetime.timedelta(days=7)
    response = client.post(coordinate(), batch(coop.tech, left.member, worked_on))

    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.member, entry.occurred_on, entry.status) == (left.member, worked_on, "pending")


def test_its_last_day_counts_the_day_after_does_not(client, coop):
    left = former(coop.tech)
    client.force_login(coop.coord_a.user)

    after = client.post(
        coordinate(), batch(coop.tech, left.member, LAST_WEEK + datetime.timedelta(days=1))
    )
    assert after.status_code == 200
    assert "did not sit in Tech" in str(after.context["form"].non_field_errors())
    assert not LedgerEntry.objects.exists()

    assert client.post(coordinate(), batch(coop.tech, left.member, LAST_WEEK)).status_code == 302
    assert LedgerEntry.objects.get().occurred_on == LAST_WEEK


def test_a_member_seated_since_is_refused_for_a_day_before_its_seat(client, coop):
    newcomer = person()
    CircleRoleFactory(circle=coop.tech, member=newcomer.member, started_on=LAST_WEEK)
    client.force_login(coop.coord_a.user)

    response = client.post(
        coordinate(), batch(coop.tech, newcomer.member, LAST_WEEK - datetime.timedelta(days=1))
    )

    assert response.status_code == 200
    assert "did not sit in Tech" in str(response.context["form"].non_field_errors())
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("who", ["outreach", "stranger", "long_gone", "ahead"])
def test_a_guessed_member_id_is_a_form_error(client, coop, who):
    """Someone never seated in Tech, seated only more than a year ago, or only from tomorrow:
    not listed, and hours sent for its id are refused, not ignored."""
    if who == "outreach":
        guessed = person(coop.outreach).member
    elif who == "stranger":
        guessed = coop.stranger.member
    elif who == "long_gone":
        guessed = former(
            coop.tech, started_on=datetime.date(2024, 1, 1), ended_on=datetime.date(2025, 1, 31)
        ).member
    else:
        guessed = person().member
        CircleRoleFactory(
            circle=coop.tech, member=guessed, started_on=TODAY + datetime.timedelta(days=1)
        )
    client.force_login(coop.coord_a.user)

    assert guessed not in client.get(coordinate()).context["form"].members
    response = client.post(coordinate(), batch(coop.tech, guessed, datetime.date(2025, 1, 15)))

    assert response.status_code == 200
    assert "only for the members listed" in str(response.context["form"].non_field_errors())
    assert not LedgerEntry.objects.exists()


def test_a_guessed_id_beside_a_listed_member_logs_nobody(client, coop):
    data = batch(coop.tech, coop.member.member, LAST_WEEK)
    data[f"hours_{coop.stranger.member.pk}"] = "2"
    client.force_login(coop.coord_a.user)

    response = client.post(coordinate(), data)

    assert response.status_code == 200
    assert not LedgerEntry.objects.exists()


def test_a_coordinator_seated_after_the_work_logs_it_one_no_longer_seated_does_not(client, coop):
    """The coordinator acts today: a seat as coordinator today is what lets it log, whatever
    the day worked."""
    newcomer = person()
    CircleRoleFactory(
        circle=coop.tech, member=newcomer.member, role="coordinator", started_on=TODAY
    )
    client.force_login(newcomer.user)
    response = client.post(coordinate(), batch(coop.tech, coop.member.member, LAST_WEEK))
    assert response.status_code == 302
    assert LedgerEntry.objects.get().logged_by == newcomer.user

    gone = former(coop.tech)
    gone_seat = gone.member.circle_roles.get()
    gone_seat.role = "coordinator"
    gone_seat.save()
    client.force_login(gone.user)
    response = client.post(
        coordinate(), batch(coop.tech, coop.member.member, LAST_WEEK - datetime.timedelta(days=1))
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.count() == 1


def _page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(coordinate()).status_code == 200
    return len(queries.captured_queries)


def test_the_page_costs_the_same_however_many_members_have_left(client, coop):
    client.force_login(coop.coord_a.user)
    former(coop.tech)
    few = _page_queries(client)
    for _ in range(6):
        former(coop.tech)
    assert _page_queries(client) == few
