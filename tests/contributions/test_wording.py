"""The words match the rules: a coordinator of the circle who is not the member credited
approves labour, so the coordinator who logged hours is told they may approve the others'
hours, and their own wait for another coordinator; a decision says what happened, in words."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from freezegun import freeze_time

from contributions import services
from contributions.models import LedgerEntry

from .conftest import TODAY

pytestmark = pytest.mark.django_db

WORKED = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def log_batch(client, coop, hours_by_who):
    client.force_login(coop.coord_a.user)
    data = {"circle": coop.tech.pk, "worked_on": WORKED.isoformat(), "description": "Docs"}
    for who, hours in hours_by_who:
        data[f"hours_{who.member.pk}"] = hours
    response = client.post(reverse("contributions:coordinate"), data)
    assert response.status_code == 302
    return response


def test_after_logging_others_hours_the_coordinator_is_told_they_may_approve_them(client, coop):
    response = log_batch(client, coop, [(coop.member, "3")])
    (text,) = messages_of(response)
    assert "another coordinator of the circle approves them" not in text
    assert text == (
        "1 entry logged; it waits for approval below. You, or any other coordinator of the "
        "circle, may approve the entry for another member."
    )
    # And the rule agrees: the same coordinator approves it.
    entry = LedgerEntry.objects.get(member=coop.member.member)
    decided = client.post(reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"})
    assert decided.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.decided_by == coop.coord_a.user


def test_a_coordinators_own_hours_are_said_to_wait_for_another_coordinator(client, coop):
    response = log_batch(client, coop, [(coop.member, "2"), (coop.coord_a, "4")])
    (text,) = messages_of(response)
    assert text.startswith("2 entries logged; they wait for approval below.")
    assert "may approve the entry for another member." in text
    assert (
        "The entry that credits you is approved by another coordinator of the circle: nobody "
        "approves their own hours."
    ) in text
    own = LedgerEntry.objects.get(member=coop.coord_a.member)
    client.post(reverse("contributions:decide", args=[own.pk]), {"decision": "approve"})
    own.refresh_from_db()
    assert own.status == "pending"  # the rule the words describe


def _labour(coop, hours):
    return services.labour_log(
        member=coop.member.member, circle=coop.tech, hours=hours, worked_on=WORKED,
        description="Docs", actor=coop.coord_a.user, on=TODAY,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("decision", "hours", "expected"),
    [
        ("approve", "3", "Approved 3 hours for {name}."),
        ("reject", "3", "Rejected 3 hours for {name}."),
        ("approve", "1", "Approved 1 hour for {name}."),
        ("approve", "2.5", "Approved 2.50 hours for {name}."),
    ],
)
def test_a_decision_on_hours_says_what_happened(client, coop, decision, hours, expected):
    entry = _labour(coop, hours)
    client.force_login(coop.coord_b.user)
    response = client.post(reverse("contributions:decide", args=[entry.pk]), {"decision": decision})
    name = coop.member.member.display_name
    assert messages_of(response) == [expected.format(name=name)]
    assert not any("decided" in m for m in messages_of(response))


def test_a_decision_on_money_says_what_happened(client, coop):
    entry = services.money_record(
        member=coop.member.member, amount=Decimal("200.00"), currency="EUR", received_on=WORKED,
        description="Gift", actor=coop.treasurer.user, on=TODAY,
    )  # fmt: skip
    client.force_login(coop.treasurer.user)
    response = client.post(
        reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"}
    )
    name = coop.member.member.display_name
    assert messages_of(response) == [f"Approved 200.00 EUR received from {name}."]
