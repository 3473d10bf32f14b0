"""Two closings racing: the row locks make the second a no-op, and two proposals based on the
same version can't both be adopted."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from governance import services
from governance.models import DocumentVersion, Proposal, Voter
from tests.factories import GovernanceDocumentFactory, ProposalFactory, voting_member
from tests.governance.conftest import AFTER, CLOSES, NOW

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    errors = []
    barrier = threading.Barrier(len(calls))

    def worker(call):
        try:
            barrier.wait()
            for _attempt in range(400):
                try:
                    call()
                    break
                except OperationalError as exc:
                    # The test database on SQLite is in memory with a shared cache, which answers
                    # "table is locked" at once instead of waiting like a file or PostgreSQL does.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.005)
        except Exception as exc:  # collected and checked by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def open_proposal(author):
    # Committed transactions run on_commit hooks at once; keep the scheduled close out of it.
    def make(**fields):
        proposal = ProposalFactory(author=author, **fields)
        return services.proposal_open(
            proposal=proposal, closes_at=CLOSES, actor=author, now=NOW, notify=False
        )

    return make


def test_two_proposals_on_one_version_closing_at_once_adopt_only_one(open_proposal):
    member, user = voting_member()
    document = GovernanceDocumentFactory()
    proposals = [open_proposal(document=document, new_text=f"Text {i}") for i in range(2)]
    for proposal in proposals:
        services.stance_cast(
            proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=NOW
        )
    errors = run_together(
        *[
            (lambda p=p: services.proposal_close(proposal=p, actor=None, now=AFTER))
            for p in proposals
        ]
    )
    assert errors == []
    outcomes = sorted(Proposal.objects.values_list("outcome", flat=True))
    assert outcomes == ["adopted", "rejected"]
    assert DocumentVersion.objects.count() == 1


def test_closing_the_same_proposal_twice_at_once_closes_it_once(open_proposal):
    member, user = voting_member()
    proposal = open_proposal()
    services.stance_cast(
        proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=NOW
    )
    errors = run_together(
        lambda: services.proposal_close(proposal=proposal, actor=None, now=AFTER),
        lambda: services.proposal_close(proposal=proposal, actor=None, now=AFTER),
    )
    assert errors == []
    from meetcoop.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="governance.proposal.closed").count() == 1
