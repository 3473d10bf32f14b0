"""Attacks on the electorate snapshot and on the outcome rule at its edges."""

import datetime
from decimal import Decimal

import pytest

from governance import services
from governance.models import Proposal
from meetcoop.core.errors import DomainError
from membership.models import Membership
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    MembershipFactory,
    ProposalFactory,
    voting_member,
)

from .conftest import AFTER, CLOSES, NOW

pytestmark = pytest.mark.django_db


def _cast(proposal, voters, stances):
    for (member, user), stance in zip(voters, stances, strict=False):
        if stance:
            reason = "Not like this." if stance == "block" else ""
            services.stance_cast(
                proposal=proposal, member=member, stance=stance, reason=reason, actor=user, now=NOW
            )


def test_a_member_with_both_memberships_is_one_voter(open_proposal):
    member, user = voting_member()  # operational
    MembershipFactory(member=member, type="user")
    for electorate in ("all", "operational"):
        proposal = open_proposal(electorate=electorate)
        assert list(proposal.voters.values_list("member_id", flat=True)) == [member.pk]
        assert proposal.electorate_size == 1


def test_only_active_memberships_make_the_electorate(open_proposal):
    active, _ = voting_member()
    for status in ("pending", "lapsed", "suspended", "ended"):
        voting_member(status=status)
    user_only, _ = voting_member(membership_type="user")
    assert set(open_proposal(electorate="all").voters.values_list("member_id", flat=True)) == {
        active.pk,
        user_only.pk,
    }
    assert set(
        open_proposal(electorate="operational").voters.values_list("member_id", flat=True)
    ) == {active.pk}


def test_lapsing_after_opening_keeps_the_vote_becoming_active_later_gives_none(open_proposal):
    (early, early_user) = voting_member()
    (late, late_user) = voting_member(status="pending")
    proposal = open_proposal()
    Membership.objects.filter(member=early).update(status="lapsed")
    Membership.objects.filter(member=late).update(status="active")
    services.stance_cast(proposal=proposal, member=early, stance="agree", actor=early_user, now=NOW)
    with pytest.raises(DomainError):
        services.stance_cast(
            proposal=proposal,
            member=late,
            stance="block",
            reason="Me too.",
            actor=late_user,
            now=NOW,
        )
    closed = services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    assert (closed.electorate_size, closed.outcome) == (1, "adopted")


def test_a_circle_electorate_is_its_active_members_seated_on_the_opening_day(open_proposal):
    circle = CircleFactory()
    today = NOW.date()
    seated, _ = voting_member()
    ends_today, _ = voting_member()
    ended_yesterday, _ = voting_member()
    starts_tomorrow, _ = voting_member()
    seated_but_lapsed, _ = voting_member(status="lapsed")
    CircleRoleFactory(circle=circle, member=seated, started_on=today)
    CircleRoleFactory(
        circle=circle, member=ends_today, started_on=today.replace(year=2025), ended_on=today
    )
    CircleRoleFactory(
        circle=circle,
        member=ended_yesterday,
        started_on=today.replace(year=2025),
        ended_on=today - datetime.timedelta(days=1),
    )
    CircleRoleFactory(
        circle=circle, member=starts_tomorrow, started_on=today + datetime.timedelta(days=1)
    )
    CircleRoleFactory(circle=circle, member=seated_but_lapsed, started_on=today)
    # A member seated twice (member and coordinator) is one voter.
    CircleRoleFactory(circle=circle, member=seated, started_on=today, role="coordinator")
    proposal = open_proposal(electorate="circle", circle=circle)
    assert sorted(proposal.voters.values_list("member_id", flat=True)) == sorted(
        [seated.pk, ends_today.pk]
    )


def test_nobody_voting_is_rejected_even_with_no_quorum(make_voters, open_proposal):
    make_voters(3)
    closed = services.proposal_close(proposal=open_proposal(), actor=None, now=AFTER)
    assert (closed.outcome, closed.outcome_code) == ("rejected", "nobody_agreed")


def test_everyone_abstaining_is_rejected(make_voters, open_proposal):
    voters = make_voters(3)
    proposal = open_proposal(quorum_percent=Decimal("100"))
    _cast(proposal, voters, ["abstain"] * 3)
    closed = services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    assert (closed.outcome, closed.outcome_code) == ("rejected", "nobody_agreed")


def test_a_full_quorum_with_everyone_voting_and_one_agree_is_adopted(make_voters, open_proposal):
    voters = make_voters(3)
    proposal = open_proposal(quorum_percent=Decimal("100"))
    _cast(proposal, voters, ["agree", "abstain", "abstain"])
    closed = services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    assert closed.outcome == "adopted"


def test_abstentions_count_toward_turnout(make_voters, open_proposal):
    voters = make_voters(3)
    proposal = open_proposal(quorum_percent=Decimal("66.66"))
    _cast(proposal, voters, ["agree", "abstain"])
    assert services.proposal_close(proposal=proposal, actor=None, now=AFTER).outcome == "adopted"


def test_one_short_of_the_quorum_is_rejected(make_voters, open_proposal):
    voters = make_voters(3)
    proposal = open_proposal(quorum_percent=Decimal("66.67"))
    _cast(proposal, voters, ["agree", "agree"])
    closed = services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    assert (closed.outcome, closed.outcome_code) == ("rejected", "quorum")


def test_a_block_rejects_even_a_unanimous_rest(make_voters, open_proposal):
    voters = make_voters(4)
    proposal = open_proposal()
    _cast(proposal, voters, ["agree", "agree", "agree", "block"])
    closed = services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    assert (closed.outcome, closed.block_count) == ("rejected", 1)


@pytest.mark.parametrize("quorum", ["-1", "100.01", "33.333"])
def test_a_quorum_out_of_range_is_refused(author, quorum):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.proposal_create(title="Q", text="Q", quorum_percent=Decimal(quorum), actor=author)


def test_closing_twice_keeps_the_first_outcome_even_after_stances_change_in_the_db(
    make_voters, open_proposal
):
    voters = make_voters(2)
    proposal = open_proposal()
    _cast(proposal, voters, ["agree"])
    first = services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    proposal.voters.update(stance="block", reason="late")
    again = services.proposal_close(
        proposal=proposal, actor=None, now=AFTER + datetime.timedelta(hours=1)
    )
    assert (again.outcome, again.closed_at, again.agree_count) == ("adopted", first.closed_at, 1)
    assert services.close_due_proposals(now=AFTER + datetime.timedelta(days=1)) == 0


def test_opening_a_naive_or_past_closing_time_is_refused(make_voters, author):
    make_voters(1)
    proposal = ProposalFactory(author=author)
    with pytest.raises(DomainError):
        services.proposal_open(
            proposal=proposal, closes_at=datetime.datetime(2026, 6, 8, 12), actor=author, now=NOW
        )
    with pytest.raises(DomainError):
        services.proposal_open(proposal=proposal, closes_at=NOW, actor=author, now=NOW)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.voters.count()) == (Proposal.Status.DRAFT, 0)
    assert (
        services.proposal_open(proposal=proposal, closes_at=CLOSES, actor=author, now=NOW).status
        == "open"
    )
