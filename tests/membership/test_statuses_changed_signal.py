"""``membership.signals.statuses_changed``: sent after commit with the memberships whose status
changed, by every writer of the status history (a person's change, an admission, a new
membership, the status job), once per commit and never for a rolled-back change."""

import datetime

import pytest
from django.db import transaction

from membership.models import Membership
from membership.services import membership_status_set
from membership.signals import statuses_changed
from standing.services import status_recompute
from tests.factories import MembershipFactory, OperationalMembershipFactory, PolicyFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, membership_ids, **kwargs):
        calls.append(list(membership_ids))

    statuses_changed.connect(receiver, dispatch_uid="test-heard")
    yield calls
    statuses_changed.disconnect(dispatch_uid="test-heard")


def test_a_persons_change_is_heard_after_commit_only(heard):
    membership = MembershipFactory()
    heard.clear()
    with transaction.atomic():
        membership_status_set(membership=membership, status="suspended", actor=None, note="x")
        assert heard == []  # not before the commit
    assert heard == [[membership.pk]]


def test_a_rolled_back_change_is_never_heard(heard):
    membership = MembershipFactory()
    heard.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_status_set(membership=membership, status="suspended", actor=None, note="x")
        raise RuntimeError
    assert heard == []
    assert Membership.objects.get(pk=membership.pk).status == "active"


def test_the_status_job_sends_one_signal_with_every_membership_it_moved(heard):
    PolicyFactory(effective_from=datetime.date(2020, 1, 1))
    # Operational members admitted long ago with no contribution: past the commitment
    # deadline, so the job lapses them.
    moved = [
        OperationalMembershipFactory(admitted_on=datetime.date(2020, 1, 1)).pk for _ in range(3)
    ]
    heard.clear()
    run, _evaluations = status_recompute(on=datetime.date(2026, 6, 1), source="command")
    assert run.lapsed == 3
    assert heard == [sorted(moved)]
