"""Audit: a member self-reports hours in a circle it sat in on the day worked
(docs/domain.md, "The ledger"), also when that seat has ended since."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from contributions.models import LedgerEntry
from governance.models import CircleRole

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def report(client, who, circle, worked_on):
    client.force_login(who.user)
    return client.post(
        reverse("contributions:my_ledger"),
        {
            "circle": circle.pk,
            "worked_on": worked_on.isoformat(),
            "hours": "3",
            "description": "Docs",
        },
    )


def test_hours_worked_in_a_circle_whose_seat_ended_since_can_be_reported(client, coop):
    # The member sat in Outreach until last week, and worked there before its seat ended.
    CircleRole.objects.create(
        circle=coop.outreach,
        member=coop.member.member,
        role="member",
        started_on=datetime.date(2026, 1, 1),
        ended_on=TODAY - datetime.timedelta(days=7),
    )

    response = report(client, coop.member, coop.outreach, TODAY - datetime.timedelta(days=10))

    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.circle, entry.status) == (coop.outreach, "pending")


def test_a_day_after_the_seat_ended_is_a_form_message(client, coop):
    CircleRole.objects.create(
        circle=coop.outreach,
        member=coop.member.member,
        role="member",
        started_on=datetime.date(2026, 1, 1),
        ended_on=TODAY - datetime.timedelta(days=7),
    )

    response = report(client, coop.member, coop.outreach, TODAY - datetime.timedelta(days=6))

    assert response.status_code == 200
    assert "did not sit in Outreach" in str(response.context["form"].non_field_errors())
    assert not LedgerEntry.objects.exists()


def test_a_circle_never_sat_in_is_not_offered(client, coop):
    response = report(client, coop.member, coop.outreach, TODAY - datetime.timedelta(days=1))

    assert response.status_code == 200
    assert "circle" in response.context["form"].errors
    assert not LedgerEntry.objects.exists()
