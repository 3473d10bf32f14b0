"""The proposal's emails (opened, reminder, outcome) reach each voter once, however often, or
however many at once, their tasks run: a task delivered again after a worker restarted
mid-way writes only to those it had not written to yet."""

import datetime
from functools import partial

import pytest
from django.core import mail
from freezegun import freeze_time

from governance import services, tasks
from governance.models import Voter
from tests.contributions.races import race
from tests.factories import ProposalFactory
from tests.governance.conftest import AFTER, CLOSES, NOW
from tests.governance.test_proposals import vote

pytestmark = pytest.mark.django_db


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def emails_of(voters):
    return sorted(member.email for member, _user in voters)


def test_the_opening_email_run_twice_reaches_each_voter_once(make_voters, open_proposal):
    voters = make_voters(3)
    proposal = open_proposal()
    assert tasks.send_proposal_opened(proposal.pk) == 3
    assert tasks.send_proposal_opened(proposal.pk) == 0
    assert recipients() == emails_of(voters)
    assert not Voter.objects.filter(proposal=proposal, opened_emailed_at__isnull=True).exists()


def test_the_outcome_email_run_twice_reaches_each_voter_once(make_voters, open_proposal):
    voters = make_voters(2)
    proposal = open_proposal()
    services.proposal_close(proposal=proposal, actor=None, now=AFTER, notify=False)
    assert tasks.send_proposal_outcome(proposal.pk) == 2
    assert tasks.send_proposal_outcome(proposal.pk) == 0
    assert recipients() == emails_of(voters)
    # The opening email is a mark of its own: the outcome did not stand for it.
    assert tasks.send_proposal_opened(proposal.pk) == 2


def test_the_reminder_run_twice_reaches_each_voter_once_and_not_one_who_voted_since(
    make_voters, open_proposal
):
    voters = make_voters(3)
    proposal = open_proposal()
    services.closing_reminders_send(now=CLOSES - datetime.timedelta(hours=20))  # claims 3
    claimed = list(Voter.objects.filter(proposal=proposal).values_list("pk", flat=True))
    vote(proposal, *voters[0], Voter.Stance.AGREE, now=CLOSES - datetime.timedelta(hours=19))
    mail.outbox.clear()
    with freeze_time(CLOSES - datetime.timedelta(hours=18)):
        assert tasks.send_closing_reminders_to(claimed) == 2
        assert tasks.send_closing_reminders_to(claimed) == 0
    assert recipients() == emails_of(voters[1:])


@pytest.mark.parametrize("recorded", [False, True])
def test_a_reminder_run_after_the_closing_writes_to_nobody(make_voters, open_proposal, recorded):
    """The worker was busy, or ran the task again, past the closing time: a reminder would ask
    for a stance nobody can take any more."""
    make_voters(2)
    proposal = open_proposal()
    services.closing_reminders_send(now=CLOSES - datetime.timedelta(hours=20))
    claimed = list(Voter.objects.filter(proposal=proposal).values_list("pk", flat=True))
    if recorded:
        services.proposal_close(proposal=proposal, actor=None, now=AFTER, notify=False)
    mail.outbox.clear()
    with freeze_time(AFTER):
        assert tasks.send_closing_reminders_to(claimed) == 0
    assert mail.outbox == []


def test_a_refused_address_is_written_to_when_the_task_runs_again_and_nobody_twice(
    make_voters, open_proposal, monkeypatch
):
    voters = make_voters(3)
    proposal = open_proposal()
    refused = voters[1][0].email
    send = tasks.send_templated_email

    def mail_server(**kwargs):
        if kwargs["to"] == refused:
            raise ConnectionRefusedError("550 mailbox unavailable")
        return send(**kwargs)

    monkeypatch.setattr(tasks, "send_templated_email", mail_server)
    assert tasks.send_proposal_opened(proposal.pk) == 2
    assert refused not in recipients()
    assert Voter.objects.get(proposal=proposal, member__email=refused).opened_emailed_at is None
    monkeypatch.setattr(tasks, "send_templated_email", send)
    assert tasks.send_proposal_opened(proposal.pk) == 1
    assert recipients() == emails_of(voters)


@pytest.mark.django_db(transaction=True)
def test_the_opening_email_run_twice_at_once_reaches_each_voter_once(make_voters, author):
    voters = make_voters(4)
    proposal = services.proposal_open(
        proposal=ProposalFactory(author=author),
        closes_at=CLOSES,
        actor=author,
        now=NOW,
        notify=False,
    )
    sent = race(*(partial(tasks.send_proposal_opened, proposal.pk) for _ in range(2)))
    assert sorted(sent) in ([0, 4], [1, 3], [2, 2])
    assert recipients() == emails_of(voters)


def test_the_voters_are_read_at_once_not_one_query_each(make_voters, open_proposal):
    """Each voter costs the UPDATE that marks it; the voters, their members and the proposal
    are read in one query, however many they are (five here: three reads, not seven)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_voters(5)
    proposal = open_proposal()
    with CaptureQueriesContext(connection) as queries:
        assert tasks.send_proposal_opened(proposal.pk) == 5
    voter_table = Voter._meta.db_table
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and voter_table in q["sql"]]
    marks = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    # The ids to write to, the rows with their members and proposal, the proposal's tally.
    assert len(reads) == 3
    assert len(marks) == 5
