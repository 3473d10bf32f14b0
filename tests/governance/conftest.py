import datetime

import pytest

from governance import services
from tests.factories import ProposalFactory, UserFactory, voting_member

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
CLOSES = NOW + datetime.timedelta(days=7)
AFTER = CLOSES + datetime.timedelta(seconds=1)


@pytest.fixture
def author(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def make_voters(db):
    def make(n, **kwargs):
        return [voting_member(**kwargs) for _ in range(n)]

    return make


@pytest.fixture
def open_proposal(author):
    def make(*, closes_at=CLOSES, now=NOW, **fields):
        proposal = ProposalFactory(author=author, **fields)
        return services.proposal_open(proposal=proposal, closes_at=closes_at, actor=author, now=now)

    return make
