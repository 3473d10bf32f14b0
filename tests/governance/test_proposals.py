import datetime
from decimal import Decimal

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from governance import selectors, services, tasks
from governance.models import Proposal, StanceRecord, Voter
from tests.factories import (
    CircleRoleFactory,
    MemberContactFactory,
    ProposalFactory,
    voting_member,
)
from tests.governance.conftest import AFTER, CLOSES, NOW

pytestmark = pytest.mark.django_db


def vote(proposal, member, user, stance, reason="", now=NOW):
    return services.stance_cast(
        proposal=proposal, member=member, stance=stance, reason=reason, actor=user, now=now
    )


def close(proposal, now=AFTER):
    return services.proposal_close(proposal=proposal, actor=None, now=now)


# --- electorate ------------------------------------------------------------------------------


def test_electorate_is_a_snapshot_at_opening(open_proposal, make_voters):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    late_member, late_user = voting_member()  # active only after the opening
    assert proposal.electorate_size == 1
    assert list(proposal.voters.values_list("member_id", flat=True)) == [member.pk]
    with pytest.raises(ValidationError, match="not in the electorate"):
        vote(proposal, late_member, late_user, Voter.Stance.AGREE)
    vote(proposal, member, user, Voter.Stance.AGREE)


def test_all_members_with_voting_rights_means_any_active_membership(open_proposal):
    operational, _u1 = voting_member(membership_type="operational")
    user_member, _u2 = voting_member(membership_type="user")
    lapsed, _u3 = voting_member(status="lapsed")
    proposal = open_proposal(electorate=Proposal.Electorate.ALL)
    members = set(proposal.voters.values_list("member_id", flat=True))
    assert members == {operational.pk, user_member.pk}
    assert lapsed.pk not in members


def test_operational_electorate_leaves_out_user_members(open_proposal):
    operational, _u1 = voting_member(membership_type="operational")
    voting_member(membership_type="user")
    proposal = open_proposal(electorate=Proposal.Electorate.OPERATIONAL)
    assert list(proposal.voters.values_list("member_id", flat=True)) == [operational.pk]


def test_circle_electorate_is_who_sits_in_it_on_the_opening_day(open_proposal, make_voters):
    (a, _), (b, _), (c, _) = make_voters(3)
    seat = CircleRoleFactory(member=a, started_on=datetime.date(2026, 1, 1))
    CircleRoleFactory(
        circle=seat.circle,
        member=b,
        started_on=datetime.date(2026, 1, 1),
        ended_on=datetime.date(2026, 5, 31),
    )
    CircleRoleFactory(circle=seat.circle, member=c, started_on=datetime.date(2026, 6, 2))
    lapsed, _ = voting_member(status="lapsed")  # seated, but without voting rights
    CircleRoleFactory(circle=seat.circle, member=lapsed, started_on=datetime.date(2026, 1, 1))
    proposal = open_proposal(electorate=Proposal.Electorate.CIRCLE, circle=seat.circle)
    assert list(proposal.voters.values_list("member_id", flat=True)) == [a.pk]


def test_an_organisation_votes_once_through_any_of_its_contacts(open_proposal):
    org, first_user = voting_member()
    second = MemberContactFactory(member=org, user__email="second@example.org")
    proposal = open_proposal()
    vote(proposal, org, first_user, Voter.Stance.AGREE)
    vote(proposal, org, second.user, Voter.Stance.ABSTAIN)
    assert proposal.voters.get().stance == Voter.Stance.ABSTAIN
    assert selectors.proposal_tally(proposal).voted == 1


def test_a_login_can_not_vote_for_a_member_it_is_not_contact_of(open_proposal, make_voters):
    (member, _user), (_other, other_user) = make_voters(2)
    proposal = open_proposal()
    with pytest.raises(ValidationError, match="contact of"):
        vote(proposal, member, other_user, Voter.Stance.AGREE)


def test_a_proposal_with_nobody_in_its_electorate_does_not_open(open_proposal):
    with pytest.raises(ValidationError, match="Nobody"):
        open_proposal()


# --- stances ---------------------------------------------------------------------------------


def test_stance_can_change_until_closing_and_history_is_kept(open_proposal, make_voters):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    vote(proposal, member, user, Voter.Stance.BLOCK, "Not yet.", now=NOW)
    later = NOW + datetime.timedelta(days=1)
    voter = vote(proposal, member, user, Voter.Stance.AGREE, now=later)
    assert voter.stance == Voter.Stance.AGREE and voter.stance_at == later
    history = list(StanceRecord.objects.filter(voter=voter).values_list("stance", "reason"))
    assert history == [("block", "Not yet."), ("agree", "")]
    tally = selectors.proposal_tally(proposal)
    assert (tally.agree, tally.block) == (1, 0)


def test_no_stance_after_the_closing_time(open_proposal, make_voters):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    vote(proposal, member, user, Voter.Stance.AGREE, now=CLOSES - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="not open"):
        vote(proposal, member, user, Voter.Stance.BLOCK, "late", now=CLOSES)


def test_block_without_a_reason_is_refused(open_proposal, make_voters):
    ((member, user),) = make_voters(1)
    proposal = open_proposal()
    with pytest.raises(ValidationError, match="needs a reason"):
        vote(proposal, member, user, Voter.Stance.BLOCK, "   ")
    assert proposal.voters.get().stance == ""
    vote(proposal, member, user, Voter.Stance.BLOCK, "It breaks the policy.")


def test_no_stance_on_a_draft(make_voters, author):
    ((member, user),) = make_voters(1)
    proposal = ProposalFactory(author=author)
    with pytest.raises(ValidationError):
        vote(proposal, member, user, Voter.Stance.AGREE)


# --- outcome ---------------------------------------------------------------------------------


@pytest.fixture
def ten_voters(make_voters, open_proposal):
    voters = make_voters(10)
    proposal = open_proposal()
    for member, user in voters[:7]:
        vote(proposal, member, user, Voter.Stance.AGREE)
    for member, user in voters[7:9]:
        vote(proposal, member, user, Voter.Stance.ABSTAIN)
    blocker = voters[9]
    vote(proposal, *blocker, Voter.Stance.BLOCK, "We can't afford it.")
    return proposal, blocker


def test_seven_agree_two_abstain_one_block_is_rejected(ten_voters):
    proposal, _blocker = ten_voters
    proposal = close(proposal)
    assert proposal.outcome == Proposal.Outcome.REJECTED
    assert "blocked" in proposal.outcome_reason
    assert (proposal.agree_count, proposal.abstain_count, proposal.block_count) == (7, 2, 1)
    assert proposal.electorate_size == 10


def test_block_withdrawn_before_closing_makes_it_adopted(ten_voters):
    proposal, blocker = ten_voters
    vote(proposal, *blocker, Voter.Stance.ABSTAIN, now=CLOSES - datetime.timedelta(minutes=1))
    proposal = close(proposal)
    assert proposal.outcome == Proposal.Outcome.ADOPTED
    assert (proposal.agree_count, proposal.abstain_count, proposal.block_count) == (7, 3, 0)


def test_quorum_not_reached_is_rejected(make_voters, open_proposal):
    voters = make_voters(4)
    proposal = open_proposal(quorum_percent=Decimal("50"))
    vote(proposal, *voters[0], Voter.Stance.AGREE)  # 25 % turnout
    proposal = close(proposal)
    assert proposal.outcome == Proposal.Outcome.REJECTED
    assert "quorum" in proposal.outcome_reason


def test_a_turnout_under_the_quorum_never_reads_as_reaching_it(make_voters, open_proposal):
    """2 of 3 voted (66.67 %) under a 67 % quorum: rejected, and the reason says 66 %."""
    voters = make_voters(3)
    proposal = open_proposal(quorum_percent=Decimal("67"))
    vote(proposal, *voters[0], Voter.Stance.AGREE)
    vote(proposal, *voters[1], Voter.Stance.AGREE)
    proposal = close(proposal)
    assert proposal.outcome == Proposal.Outcome.REJECTED
    assert proposal.outcome_reason == "quorum not reached: 66 % voted, 67 % needed"


def test_quorum_reached_exactly_is_adopted(make_voters, open_proposal):
    voters = make_voters(4)
    proposal = open_proposal(quorum_percent=Decimal("50"))
    vote(proposal, *voters[0], Voter.Stance.AGREE)
    vote(proposal, *voters[1], Voter.Stance.ABSTAIN)
    assert close(proposal).outcome == Proposal.Outcome.ADOPTED


def test_nobody_agreeing_is_rejected(make_voters, open_proposal):
    voters = make_voters(2)
    proposal = open_proposal()
    vote(proposal, *voters[0], Voter.Stance.ABSTAIN)
    proposal = close(proposal)
    assert proposal.outcome == Proposal.Outcome.REJECTED
    assert proposal.outcome_reason == "nobody agreed"


def test_closing_twice_changes_nothing(ten_voters):
    proposal, _blocker = ten_voters
    first = close(proposal)
    second = close(proposal, now=AFTER + datetime.timedelta(days=3))
    assert second.closed_at == first.closed_at == AFTER
    assert (second.outcome, second.agree_count) == (first.outcome, first.agree_count)


def test_closing_before_the_closing_time_is_refused(ten_voters):
    proposal, _blocker = ten_voters
    with pytest.raises(ValidationError, match="still open"):
        close(proposal, now=CLOSES - datetime.timedelta(seconds=1))


def test_closed_on_read_after_the_closing_time_with_no_worker(ten_voters):
    proposal, _blocker = ten_voters
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN  # no worker ran
    assert selectors.proposal_state(proposal, CLOSES - datetime.timedelta(seconds=1)) == "open"
    assert selectors.proposal_state(proposal, CLOSES) == "closed"


# --- frozen text -----------------------------------------------------------------------------


def test_text_is_frozen_and_hashed_at_opening(make_voters, open_proposal):
    make_voters(1)
    proposal = open_proposal(text="Buy a second server.")
    assert proposal.content_sha256 == services.proposal_content_sha256(proposal)
    assert len(proposal.content_sha256) == 64
    # Someone edits the row behind the services' back: closing refuses to adopt it.
    Proposal.objects.filter(pk=proposal.pk).update(text="Buy ten servers.")
    with pytest.raises(ValidationError, match="changed after it opened"):
        close(proposal)


def test_opening_twice_is_refused(make_voters, open_proposal, author):
    make_voters(1)
    proposal = open_proposal()
    with pytest.raises(ValidationError, match="already open"):
        services.proposal_open(proposal=proposal, closes_at=CLOSES, actor=author, now=NOW)


def test_opening_with_a_closing_time_in_the_past_is_refused(make_voters, author):
    make_voters(1)
    proposal = ProposalFactory(author=author)
    with pytest.raises(ValidationError, match="future"):
        services.proposal_open(proposal=proposal, closes_at=NOW, actor=author, now=NOW)


# --- tasks and emails ------------------------------------------------------------------------


def test_opening_emails_the_electorate_and_schedules_the_close(
    make_voters, open_proposal, django_capture_on_commit_callbacks, monkeypatch
):
    make_voters(3)
    scheduled = []
    monkeypatch.setattr(
        tasks.close_proposal, "apply_async", lambda args, eta: scheduled.append((args, eta))
    )
    with django_capture_on_commit_callbacks(execute=True):
        proposal = open_proposal()
    assert scheduled == [([proposal.pk], CLOSES)]
    assert len(mail.outbox) == 3
    assert proposal.title in mail.outbox[0].subject
    # The link is absolute, on the site's domain.
    domain = Site.objects.get_current().domain
    assert f"http://{domain}/governance/proposals/{proposal.pk}/" in mail.outbox[0].body


def test_close_task_is_a_no_op_before_the_closing_time(ten_voters):
    proposal, _ = ten_voters
    with freeze_time(CLOSES - datetime.timedelta(seconds=1)):
        assert tasks.close_proposal(proposal.pk) == "open"
    with freeze_time(AFTER):
        assert tasks.close_proposal(proposal.pk) == "closed"
        assert tasks.close_proposal(proposal.pk) == "closed"
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.REJECTED


def test_close_due_proposals_is_safe_to_run_twice(ten_voters, django_capture_on_commit_callbacks):
    proposal, _ = ten_voters
    with django_capture_on_commit_callbacks(execute=True):
        assert services.close_due_proposals(now=AFTER) == 1
        assert services.close_due_proposals(now=AFTER) == 0
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CLOSED
    outcome_mails = [m for m in mail.outbox if "rejected" in m.subject]
    assert len(outcome_mails) == 10


def test_reminder_goes_once_to_those_who_have_not_voted(
    make_voters, open_proposal, django_capture_on_commit_callbacks
):
    voters = make_voters(3)
    proposal = open_proposal()
    vote(proposal, *voters[0], Voter.Stance.AGREE)
    too_early = CLOSES - datetime.timedelta(days=2)
    day_before = CLOSES - datetime.timedelta(hours=20)
    with freeze_time(day_before), django_capture_on_commit_callbacks(execute=True):
        assert services.closing_reminders_send(now=too_early) == 0
        assert services.closing_reminders_send(now=day_before) == 2
        assert services.closing_reminders_send(now=day_before) == 0
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([voters[1][0].email, voters[2][0].email])


def test_member_email_is_written_in_its_language(make_voters, open_proposal, monkeypatch):
    from django.utils import translation

    from meetcoop.core import mail as mail_module  # where every email is rendered

    ((member, _user),) = make_voters(1)
    member.language = "fr"
    member.save()
    proposal = open_proposal()
    rendered_in = []
    render = mail_module.render_to_string

    def spy(*args, **kwargs):
        rendered_in.append(translation.get_language())
        return render(*args, **kwargs)

    monkeypatch.setattr(mail_module, "render_to_string", spy)
    tasks.send_proposal_opened(proposal.pk)
    assert mail.outbox[-1].to == [member.email]
    assert rendered_in and set(rendered_in) == {"fr"}


def test_voting_the_same_stance_twice_adds_no_history(open_proposal):
    member, user = voting_member()
    proposal = open_proposal()
    vote(proposal, member, user, Voter.Stance.AGREE)
    vote(proposal, member, user, Voter.Stance.AGREE)
    assert StanceRecord.objects.filter(voter__proposal=proposal).count() == 1


def test_the_outcome_reason_reads_in_each_readers_language(make_voters, open_proposal):
    """Whoever closes it (a French member opening the page first, the worker), the reason is
    stored as a code and its numbers, and each reader reads it in their own language; the
    stored words are the co-op's language."""
    from django.utils import translation

    voters = make_voters(2)
    proposal = open_proposal(quorum_percent=Decimal("60"))
    vote(proposal, *voters[0], Voter.Stance.AGREE)
    with translation.override("fr"):
        proposal = close(proposal)
    assert (proposal.outcome_code, proposal.outcome_params) == (
        "quorum",
        {"turnout": "50", "quorum": "60"},
    )
    assert proposal.outcome_reason == "quorum not reached: 50 % voted, 60 % needed"
    assert proposal.outcome_text == proposal.outcome_reason
    with translation.override("fr"):
        french = proposal.outcome_text
    assert french != proposal.outcome_reason and "50" in french and "60" in french
