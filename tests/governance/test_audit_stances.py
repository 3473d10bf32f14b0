"""Attacks on stances: the closing instant, a stale form or crafted POST after closing, a
Block whose reason is blank or invisible, a vote for a member one is not a contact of, and
organisations voting once through several logins."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from governance import services
from governance.models import Proposal, StanceRecord, Voter
from meetcoop.core.errors import DomainError
from tests.factories import MemberContactFactory, UserFactory

from .conftest import AFTER, CLOSES, NOW

pytestmark = pytest.mark.django_db


def test_a_stance_a_microsecond_before_closing_counts_and_at_closing_is_refused(
    open_proposal, make_voters
):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    just_before = CLOSES - datetime.timedelta(microseconds=1)
    services.stance_cast(
        proposal=proposal, member=member, stance="agree", actor=user, now=just_before
    )
    with pytest.raises(DomainError):
        services.stance_cast(
            proposal=proposal, member=member, stance="abstain", actor=user, now=CLOSES
        )
    closed = services.proposal_close(proposal=proposal, actor=None, now=CLOSES)
    assert (closed.outcome, closed.agree_count, closed.abstain_count) == ("adopted", 1, 0)


def test_the_closing_instant_is_the_same_in_any_time_zone(open_proposal, make_voters):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    madrid = datetime.timezone(datetime.timedelta(hours=2))
    with pytest.raises(DomainError):
        services.stance_cast(
            proposal=proposal,
            member=member,
            stance="agree",
            actor=user,
            now=CLOSES.astimezone(madrid),
        )
    assert not Voter.objects.filter(proposal=proposal).exclude(stance="").exists()


@pytest.mark.parametrize("recorded", [False, True])
def test_a_stale_form_posted_after_closing_is_refused_with_a_message(
    client, open_proposal, make_voters, recorded
):
    (member, user), _other = make_voters(2)
    proposal = open_proposal()
    services.stance_cast(proposal=proposal, member=member, stance="agree", actor=user, now=NOW)
    if recorded:
        services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    client.force_login(user)
    with freeze_time(AFTER):
        response = client.post(
            reverse("governance:proposal_vote", args=[proposal.pk]),
            {"member": member.pk, "stance": "block", "reason": "Too late, but still."},
        )
    assert response.status_code == 400
    assert "This proposal is not open for voting." in response.content.decode()
    voter = Voter.objects.get(proposal=proposal, member=member)
    assert (voter.stance, StanceRecord.objects.filter(voter=voter).count()) == ("agree", 1)


@pytest.mark.parametrize(
    "reason",
    [
        "   ",
        "\n\t",
        "\u00a0\u3000",  # no-break and ideographic spaces
        "\u200b",  # zero-width space
        "\u200b\u200c\u200d\u2060\ufeff",  # zero-width (non-)joiners, word joiner, BOM
        "\u00ad",  # soft hyphen
        "\ufe0f\ufe0e",  # variation selectors, with no character to select
        "\u034f\U000e0100",  # combining grapheme joiner, a supplementary variation selector
        "\u17b4\u17b5",  # Khmer inherent vowels, which are written as nothing
    ],
)
def test_a_block_with_an_invisible_reason_is_refused(open_proposal, make_voters, reason):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    with pytest.raises(DomainError) as error:
        services.stance_cast(
            proposal=proposal, member=member, stance="block", reason=reason, actor=user, now=NOW
        )
    assert error.value.message_dict == {"reason": ["A block needs a reason."]}
    assert not StanceRecord.objects.exists()


def test_an_invisible_block_reason_posted_is_a_form_error(client, open_proposal, make_voters):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    client.force_login(user)
    with freeze_time(NOW):
        response = client.post(
            reverse("governance:proposal_vote", args=[proposal.pk]),
            {"member": member.pk, "stance": "block", "reason": "\u200b\u200b"},
        )
    assert response.status_code == 400
    assert response.context["stance_form"].errors["reason"] == ["A block needs a reason."]
    assert Voter.objects.get(proposal=proposal).stance == ""


def test_a_block_reason_with_one_visible_word_among_invisibles_is_kept(open_proposal, make_voters):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    voter = services.stance_cast(
        proposal=proposal,
        member=member,
        stance="block",
        reason="\u200b no \u200b",
        actor=user,
        now=NOW,
    )
    assert voter.stance == "block"
    # An accent written as a mark after its letter is part of a word, not an invisible one.
    voter = services.stance_cast(
        proposal=proposal, member=member, stance="block", reason="e\u0301", actor=user, now=NOW
    )
    assert voter.reason == "e\u0301"


def test_a_crafted_post_for_another_members_vote_is_refused(client, open_proposal, make_voters):
    (mine, user), (theirs, _their_user) = make_voters(2)
    proposal = open_proposal()
    client.force_login(user)
    with freeze_time(NOW):
        response = client.post(
            reverse("governance:proposal_vote", args=[proposal.pk]),
            {"member": theirs.pk, "stance": "block", "reason": "Not mine to say."},
        )
    assert response.status_code == 400
    assert Voter.objects.get(proposal=proposal, member=theirs).stance == ""
    with pytest.raises(DomainError):
        services.stance_cast(proposal=proposal, member=theirs, stance="agree", actor=user, now=NOW)


@pytest.mark.parametrize("stance", ["AGREE", "veto", "", "agree "])
def test_a_crafted_stance_is_a_form_error(client, open_proposal, make_voters, stance):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    client.force_login(user)
    with freeze_time(NOW):
        response = client.post(
            reverse("governance:proposal_vote", args=[proposal.pk]),
            {"member": member.pk, "stance": stance},
        )
    assert response.status_code == 400
    assert Voter.objects.get(proposal=proposal).stance == ""


def test_two_contacts_of_one_organisation_cast_one_stance_the_latest(open_proposal, make_voters):
    ((org, first),) = make_voters(
        1, member__kind="organisation", member__organisation_name="Collective Ltd"
    )
    second = MemberContactFactory(member=org, user=UserFactory(), is_primary=False).user
    proposal = open_proposal()
    services.stance_cast(proposal=proposal, member=org, stance="agree", actor=first, now=NOW)
    services.stance_cast(
        proposal=proposal,
        member=org,
        stance="block",
        reason="We disagree after all.",
        actor=second,
        now=NOW + datetime.timedelta(hours=1),
    )
    assert proposal.voters.count() == 1
    voter = proposal.voters.get()
    assert (voter.stance, voter.stance_by) == ("block", second)
    closed = services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    assert (closed.electorate_size, closed.agree_count, closed.block_count) == (1, 0, 1)
    assert closed.outcome == Proposal.Outcome.REJECTED
