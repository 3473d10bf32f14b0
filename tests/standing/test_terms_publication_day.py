"""A terms version counts for status from the day after the day it was published, whatever
its hour: the run evaluating a day reads the same versions at 02:00 as at 23:59."""

import datetime

import pytest
from freezegun import freeze_time

from membership.models import Membership
from standing.selectors import status_evaluate
from standing.selectors.plan import type_days
from tests.factories import MembershipFactory, TermsAcceptanceFactory, TermsVersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)


def terms_reason(membership, on):
    (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    (reason,) = [r for r in evaluation.reasons if r.code.startswith("terms")]
    return reason


@pytest.fixture
def membership():
    """A user membership that accepted the Terms of Use in force long before ``D``."""
    membership = MembershipFactory()
    first = TermsVersionFactory(version="1.0", published_at=at(datetime.date(2025, 1, 1), 12))
    TermsAcceptanceFactory(
        member=membership.member, terms_version=first, accepted_at=at(datetime.date(2025, 1, 2), 9)
    )
    return membership


@pytest.mark.parametrize(("hour", "minute"), [(0, 0), (23, 59)])
def test_a_version_published_on_the_day_evaluated_does_not_count_that_day(membership, hour, minute):
    TermsVersionFactory(version="2.0", published_at=at(D, hour, minute))
    for run_at in ("2026-11-24 02:00:00", "2026-11-24 23:59:59"):
        with freeze_time(run_at):
            assert terms_reason(membership, D).code == "terms_ok"


@pytest.mark.parametrize(("hour", "minute"), [(0, 0), (23, 59)])
def test_a_version_counts_from_the_day_after_its_publication(membership, hour, minute):
    TermsVersionFactory(version="2.0", published_at=at(D, hour, minute))
    with freeze_time("2026-11-25 02:00:00"):
        reason = terms_reason(membership, D + datetime.timedelta(days=1))
    assert reason.code == "terms_pending"
    # Its acceptance period runs from its day of publication, as before.
    assert reason.params["deadline"] == "2026-12-24"


def test_the_nightly_plan_rechecks_the_users_the_day_after_a_publication():
    TermsVersionFactory(version="2.0", published_at=at(D, 23, 0))
    assert type_days(after=D - datetime.timedelta(days=1), through=D)["user"] == []
    assert type_days(after=D, through=D + datetime.timedelta(days=1))["user"]
