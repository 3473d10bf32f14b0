"""Acceptance attacks on who decides and reverses an entry, at the edges of the rule: a
coordinator of that circle on the day of the decision, never one acting for the member
credited (an organisation's other contact included); money by a treasurer; and a member
who self-reports sets nothing but the hours and the work."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from freezegun import freeze_time

from contributions import services
from contributions.models import LedgerEntry
from membership.models import Member
from tests.factories import CircleRoleFactory, MemberContactFactory, MemberFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def log(coop, member, *, actor, worked_on=datetime.date(2026, 6, 1)):
    return services.labour_log(
        member=member,
        circle=coop.tech,
        hours="3",
        worked_on=worked_on,
        description="Moved the servers",
        actor=actor,
        on=TODAY,
    )


@pytest.fixture
def organisation(coop):
    """An organisation seated in Tech with two contact people: one reports its hours, the
    other is also a coordinator of Tech through their own membership."""
    org = MemberFactory(kind=Member.Kind.ORGANISATION, name="Acme", organisation_name="Acme Co-op")
    CircleRoleFactory(circle=coop.tech, member=org, role="member")
    reporter = MemberContactFactory(member=org)
    MemberContactFactory(member=org, user=coop.coord_a.user, is_primary=False)
    return org, reporter.user


def test_an_organisations_other_contact_may_not_approve_its_hours(coop, organisation):
    org, reporter = organisation
    entry = log(coop, org, actor=reporter)
    with pytest.raises(PermissionDenied, match="own"):
        services.entry_approve(entry=entry, actor=coop.coord_a.user, on=TODAY)
    with pytest.raises(PermissionDenied):
        services.entry_reject(entry=entry, actor=coop.coord_a.user, on=TODAY)
    # a coordinator who does not act for the organisation may
    assert services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY).status == (
        LedgerEntry.Status.APPROVED
    )


def test_the_other_contact_may_not_reverse_the_organisations_hours_either(coop, organisation):
    org, reporter = organisation
    entry = services.entry_approve(
        entry=log(coop, org, actor=reporter), actor=coop.coord_b.user, on=TODAY
    )
    with pytest.raises(PermissionDenied):
        services.entry_reverse(entry=entry, reason="typo", actor=coop.coord_a.user, on=TODAY)
    assert not LedgerEntry.objects.filter(reverses=entry).exists()


def test_the_other_contact_cannot_decide_through_the_page(client, coop, organisation, frozen):
    org, reporter = organisation
    entry = log(coop, org, actor=reporter)
    client.force_login(coop.coord_a.user)
    response = client.post(
        reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.PENDING
    # nor reverse it once another coordinator approved it
    services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY)
    response = client.post(reverse("contributions:reverse", args=[entry.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert not LedgerEntry.objects.filter(reverses=entry).exists()


def test_a_seat_ending_on_the_day_still_decides_and_one_starting_tomorrow_does_not(coop):
    entry = log(coop, coop.member.member, actor=coop.coord_a.user)
    seat = coop.coord_b.member.circle_roles.get()
    seat.ended_on = TODAY
    seat.save()
    newcomer = coop.stranger
    CircleRoleFactory(
        circle=coop.tech,
        member=newcomer.member,
        role="coordinator",
        started_on=TODAY + datetime.timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        services.entry_approve(entry=entry, actor=newcomer.user, on=TODAY)
    assert services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY).status == (
        LedgerEntry.Status.APPROVED
    )


def test_a_coordinator_whose_seat_ended_may_not_reverse(coop):
    entry = services.entry_approve(
        entry=log(coop, coop.member.member, actor=coop.coord_a.user),
        actor=coop.coord_b.user,
        on=TODAY,
    )
    seat = coop.coord_b.member.circle_roles.get()
    seat.ended_on = TODAY - datetime.timedelta(days=1)
    seat.save()
    with pytest.raises(PermissionDenied):
        services.entry_reverse(entry=entry, reason="typo", actor=coop.coord_b.user, on=TODAY)


def test_a_coordinator_never_decides_money_and_a_treasurer_never_labour(client, coop, frozen):
    money = services.money_record(
        member=coop.member.member,
        amount="50",
        currency="EUR",
        received_on=TODAY,
        description="Gift",
        actor=coop.treasurer.user,
        on=TODAY,
    )
    client.force_login(coop.coord_a.user)
    url = reverse("contributions:decide", args=[money.pk])
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 404  # a coordinator does not even see money
    money.refresh_from_db()
    assert money.status == LedgerEntry.Status.PENDING


def test_a_rejected_entry_is_never_reversed(coop):
    entry = services.entry_reject(
        entry=log(coop, coop.member.member, actor=coop.coord_a.user),
        actor=coop.coord_b.user,
        on=TODAY,
    )
    with pytest.raises(ValidationError, match="Only an approved entry"):
        services.entry_reverse(entry=entry, reason="typo", actor=coop.coord_b.user, on=TODAY)


def test_a_self_report_sets_no_value_rate_status_or_paid_work(client, coop, frozen):
    client.force_login(coop.member.user)
    response = client.post(
        reverse("contributions:my_ledger"),
        {
            "circle": coop.tech.pk,
            "worked_on": "2026-06-01",
            "hours": "4",
            "description": "Answered support mail",
            # what a member might add by hand to the form
            "eur_value": "1000",
            "eur_rate": "250",
            "rate": "250",
            "hour_rate": "250",
            "paid_work": "on",
            "status": "approved",
            "member": coop.coord_a.member.pk,  # not a member this login acts for
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.member == coop.member.member
    assert entry.status == LedgerEntry.Status.PENDING
    assert (entry.eur_value, entry.eur_rate, entry.paid_work) == (Decimal("0.00"), None, False)
    assert entry.hours == Decimal("4.00")


@pytest.mark.parametrize("hours", ["4.125", "0.2", "24.25", "-1", "1e1"])
def test_hours_the_form_refuses_are_a_form_error(client, coop, frozen, hours):
    client.force_login(coop.member.user)
    response = client.post(
        reverse("contributions:my_ledger"),
        {
            "circle": coop.tech.pk,
            "worked_on": "2026-06-01",
            "hours": hours,
            "description": "Answered support mail",
        },
    )
    if hours == "1e1":  # ten hours written as a number: accepted as 10
        assert response.status_code == 302
        assert LedgerEntry.objects.get().hours == Decimal("10.00")
        return
    assert response.status_code == 200 and response.context["form"].errors["hours"]
    assert not LedgerEntry.objects.exists()
