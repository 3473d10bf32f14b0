"""Five admins deciding one concern at the same moment record one outcome and one suspension
(the concern's row is locked; the others are told it is already decided)."""

import pytest

from membership.models import StatusChange
from resellers.models import Concern
from resellers.services import ALREADY_DECIDED, concern_decide
from tests.factories import ConcernFactory, MembershipFactory, UserFactory
from tests.resellers.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_five_admins_deciding_at_once_record_one_outcome(mailoutbox):
    membership = MembershipFactory()
    concern = ConcernFactory(member=membership.member, followed_by=membership.steward)
    admins = [UserFactory(is_staff=True, is_superuser=True) for _ in range(5)]
    results = race(
        5,
        lambda i: concern_decide(
            concern=Concern.objects.get(pk=concern.pk),
            actor=admins[i],
            outcome="suspension",
            text=f"Decision {i}.",
        ),
    )
    assert sorted(kind for kind, _value in results) == ["error", "error", "error", "error", "ok"]
    assert all(value.code == ALREADY_DECIDED for kind, value in results if kind == "error")
    concern.refresh_from_db()
    assert concern.entries.filter(kind="outcome").count() == 1
    assert StatusChange.objects.filter(membership=membership).count() == 1
