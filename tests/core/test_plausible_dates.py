"""Days a person can mean: a slip such as year 1, or 9999-12-31 typed for "never", is refused
on its form with the days that may be given, instead of stored and later added to past the
last day a computer counts (a seat ended on 9999-12-31 stopped every night's status run)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contributions.services import resource_record
from governance import services as governance
from governance.models import CircleRole, Meeting
from meetcoop.core.dates import check_plausible, date_medium, plausible_days
from meetcoop.core.roles import TREASURERS
from standing.services import status_recompute
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    ProposalFactory,
    UserFactory,
    voting_member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

NEVER = datetime.date(9999, 12, 31)
YEAR_ONE = datetime.date(1, 1, 1)


def today():
    return timezone.localdate()


def refusal():
    first, last = plausible_days()
    return f"Give a date between {date_medium(first)} and {date_medium(last)}."


def test_the_days_a_person_may_give_are_a_century_either_side_of_today():
    first, last = plausible_days(datetime.date(2026, 6, 1))
    assert (first, last) == (datetime.date(1926, 6, 1), datetime.date(2126, 6, 1))
    for day in (first, last, datetime.date(2026, 6, 1)):
        assert check_plausible(day, today=datetime.date(2026, 6, 1)) == day
    for day in (first - datetime.timedelta(days=1), last + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            check_plausible(day, field="held_on", today=datetime.date(2026, 6, 1))
        assert refused.value.message_dict == {
            "held_on": ["Give a date between Jun 1, 1926 and Jun 1, 2126."]
        }


@pytest.fixture
def circle_with_coordinator():
    circle = CircleFactory(slug="tech")
    _member, coordinator = voting_member()
    CircleRoleFactory(
        circle=circle,
        member=_member,
        role="coordinator",
        started_on=today() - datetime.timedelta(days=30),
    )
    return circle, coordinator


def test_a_seat_ended_on_9999_12_31_is_refused_and_stays_open(client, circle_with_coordinator):
    circle, coordinator = circle_with_coordinator
    member, _ = voting_member()
    seat = CircleRoleFactory(circle=circle, member=member, started_on=today())
    client.force_login(coordinator)
    response = client.post(
        reverse("governance:circle_seat_end", args=[circle.slug, seat.pk]),
        {"ended_on": NEVER.isoformat()},
        follow=True,
    )
    assert refusal() in [str(message) for message in response.context["messages"]]
    seat.refresh_from_db()
    assert seat.ended_on is None


def test_a_seat_already_stored_as_ending_on_the_last_day_does_not_stop_the_night(
    circle_with_coordinator,
):
    """Rows stored before the bound: the run goes on and the seat counts as never ending."""
    circle, _coordinator = circle_with_coordinator
    member, _ = voting_member()
    CircleRoleFactory(circle=circle, member=member, started_on=today(), ended_on=NEVER)
    run, evaluations = status_recompute(on=today())
    assert run.state == "finished", run.error
    mine = next(e for e in evaluations if e.member_id == member.pk)
    assert not mine.at_risk  # seated for ever: no seat's end comes near


@pytest.mark.parametrize("day", [YEAR_ONE, NEVER])
def test_a_meeting_on_a_day_nobody_means_is_a_form_error(client, day):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("governance:meeting_create"),
        {"kind": "all_hands", "title": "All Hands", "held_on": day.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["held_on"] == [refusal()]
    assert not Meeting.objects.exists()


def test_a_proposal_can_not_stay_open_for_ever():
    author = UserFactory(is_staff=True, is_superuser=True)
    proposal = ProposalFactory(author=author)
    closes_at = datetime.datetime(9999, 12, 31, 12, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as refused:
        governance.proposal_open(proposal=proposal, closes_at=closes_at, actor=author)
    assert refused.value.message_dict == {"closes_at": [refusal()]}
    proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_a_resource_given_in_year_one_is_refused():
    treasurer = UserFactory()
    treasurer.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    member, _ = voting_member()
    with pytest.raises(ValidationError) as refused:
        resource_record(
            member=member,
            description="A server",
            eur_value="100",
            given_on=YEAR_ONE,
            actor=treasurer,
        )
    assert refusal() in refused.value.messages
    assert not member.ledger_entries.exists()


def test_a_seat_can_not_start_on_a_day_nobody_means(circle_with_coordinator):
    circle, coordinator = circle_with_coordinator
    member, _ = voting_member()
    member.memberships.update(admitted_on=None)
    with pytest.raises(ValidationError) as refused:
        governance.circle_seat_add(
            circle=circle, member=member, role="member", started_on=YEAR_ONE, actor=coordinator
        )
    assert refused.value.message_dict == {"started_on": [refusal()]}
    assert not CircleRole.objects.filter(member=member).exists()
