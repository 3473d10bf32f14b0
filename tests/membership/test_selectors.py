"""The membership app's reads that the other apps build on: the policy day of a membership
and the terms in force."""

import datetime

import pytest

from membership.models import Membership
from membership.selectors import policy_day_expression, terms_in_force
from tests.factories import MembershipFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db

CREATED = datetime.datetime(2025, 3, 9, 23, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("applied_on", "admitted_on", "expected"),
    [
        (datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 1, 1)),
        (None, datetime.date(2025, 2, 1), datetime.date(2025, 2, 1)),
        (None, None, datetime.date(2025, 3, 9)),
    ],
)
def test_the_policy_day_is_applied_else_admitted_else_created_in_python_and_sql(
    applied_on, admitted_on, expected
):
    membership = MembershipFactory(
        applied_on=applied_on, admitted_on=admitted_on, created_at=CREATED
    )
    annotated = (
        Membership.objects.annotate(policy_day=policy_day_expression())
        .values_list("policy_day", flat=True)
        .get(pk=membership.pk)
    )
    membership.refresh_from_db()
    assert membership.policy_date == annotated == expected


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def test_the_terms_in_force_are_the_latest_published_version_of_each_document():
    old = TermsVersionFactory(version="1.0", published_at=_at(datetime.date(2025, 1, 1)))
    new = TermsVersionFactory(version="2.0", published_at=_at(datetime.date(2026, 1, 1)))
    fair = TermsVersionFactory(
        document="fair_use", version="1.0", published_at=_at(datetime.date(2025, 6, 1))
    )
    TermsVersionFactory(version="3.0", published_at=_at(datetime.date(2027, 1, 1)))  # not yet
    current = terms_in_force(at=_at(datetime.date(2026, 6, 1)))
    assert list(current) == ["terms_of_use", "fair_use"]  # Terms of Use first
    assert current == {"terms_of_use": new, "fair_use": fair}
    assert terms_in_force(at=_at(datetime.date(2025, 3, 1))) == {"terms_of_use": old}


def test_terms_in_force_at_a_moment_or_on_a_day():
    published = _at(datetime.date(2026, 1, 1), hour=15)
    version = TermsVersionFactory(published_at=published)
    assert terms_in_force(at=published - datetime.timedelta(seconds=1)) == {}
    assert terms_in_force(at=published) == {"terms_of_use": version}
    # A day: whatever was published during it counts.
    assert terms_in_force(at=datetime.date(2026, 1, 1)) == {"terms_of_use": version}
    assert terms_in_force(at=datetime.date(2025, 12, 31)) == {}
