import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from contributions import services
from contributions.selectors import resellers_standing_for
from meetcoop.core.roles import TREASURERS
from tests.factories import (
    CoopStewardFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def overdue(steward, *, on) -> tuple[list, list]:
    """(quarters whose report is overdue, quarters whose share is unpaid) on ``on``: what the
    status job reads for the reseller rule."""
    standing = resellers_standing_for([steward.pk], on=on)[steward.pk]
    return standing.missing_quarters, standing.unpaid_quarters


Q3 = datetime.date(2025, 7, 1)  # admitted in this quarter
Q4 = datetime.date(2025, 10, 1)


@pytest.fixture
def reseller(db):
    PolicyFactory()  # 10 %, report due 30 days after the quarter
    membership = OperationalMembershipFactory(admitted_on=datetime.date(2025, 8, 20))
    steward = StewardFactory(member=membership.member, currencies=["CAD", "EUR"])
    steward.admin_user = UserFactory()
    steward.admins.add(steward.admin_user)
    return steward


@pytest.fixture
def treasurer(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return user


def report(steward, start, revenue="1000", currency="EUR", rate=None, on=None):
    """``steward`` reports the quarter ``start`` on the day ``on`` (its clock then too: the
    status of a day counts only the reports sent by its end)."""
    on = on or datetime.date(2026, 6, 15)
    with freeze_time(datetime.datetime.combine(on, datetime.time(12), tzinfo=datetime.UTC)):
        return services.revenue_report_submit(
            steward=steward,
            quarter_start=start,
            revenue=revenue,
            currency=currency,
            eur_rate=rate,
            actor=steward.admin_user,
            on=on,
        )


def test_share_owed_is_the_policy_percent_of_the_eur_revenue(reseller):
    r = report(reseller, Q3, revenue="2000", currency="CAD", rate="0.68")
    assert r.revenue_eur == Decimal("1360.00")
    assert r.share_percent == Decimal("10.00") and r.share_eur == Decimal("136.00")
    assert r.due_on == datetime.date(2025, 10, 30)


def test_share_comes_from_the_policy_in_force_at_quarter_end(reseller):
    PolicyFactory(effective_from=datetime.date(2025, 12, 31), revenue_share_percent=Decimal("12"))
    assert report(reseller, Q4).share_eur == Decimal("120.00")  # Q4 ends 31 Dec: new policy
    assert report(reseller, Q3).share_eur == Decimal("100.00")


def test_a_quarter_is_reported_once_after_it_ends(reseller):
    with pytest.raises(ValidationError, match="ended"):
        report(reseller, datetime.date(2026, 4, 1), on=datetime.date(2026, 6, 30))
    report(reseller, Q3)
    with pytest.raises(ValidationError, match="already"):
        report(reseller, Q3)
    with pytest.raises(ValidationError, match="quarter starts"):
        report(reseller, datetime.date(2025, 8, 1))


def test_only_the_resellers_admin_reports_and_only_a_reseller(reseller):
    with pytest.raises(PermissionDenied):
        services.revenue_report_submit(
            steward=reseller,
            quarter_start=Q3,
            revenue="1",
            currency="EUR",
            actor=UserFactory(),
            on=datetime.date(2026, 6, 15),
        )
    coop = CoopStewardFactory()
    coop.admins.add(reseller.admin_user)
    coop.admin_user = reseller.admin_user
    with pytest.raises(ValidationError):
        report(coop, Q3)


def test_a_missing_report_is_overdue_the_day_after_its_due_date(reseller):
    due = datetime.date(2025, 10, 30)  # Q3 ends 30 Sep + 30 days
    assert overdue(reseller, on=due) == ([], [])
    assert overdue(reseller, on=due + datetime.timedelta(days=1)) == ([Q3], [])


def test_quarters_before_admission_are_not_owed(reseller):
    # Q2 2025 ended before the reseller was admitted: reporting Q3 is enough until Q4 is due.
    report(reseller, Q3, on=datetime.date(2025, 10, 5))
    services.revenue_share_payment_record(
        report=reseller.revenue_reports.get(),
        amount_eur="100",
        paid_on=datetime.date(2025, 10, 6),
        actor=_treasurer(),
        on=datetime.date(2025, 10, 6),
    )
    assert overdue(reseller, on=datetime.date(2026, 1, 30)) == ([], [])
    assert overdue(reseller, on=datetime.date(2026, 1, 31)) == ([Q4], [])


def _treasurer():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return user


def test_an_unpaid_share_is_overdue_on_the_same_date_as_the_report(reseller, treasurer):
    r = report(reseller, Q3, on=datetime.date(2025, 10, 5))
    assert overdue(reseller, on=datetime.date(2025, 10, 30)) == ([], [])
    assert overdue(reseller, on=datetime.date(2025, 10, 31)) == ([], [Q3])
    services.revenue_share_payment_record(
        report=r,
        amount_eur="60",
        paid_on=datetime.date(2025, 11, 2),
        actor=treasurer,
        on=datetime.date(2025, 11, 2),
    )
    assert overdue(reseller, on=datetime.date(2025, 11, 3)) == ([], [Q3])  # 40 EUR still owed
    services.revenue_share_payment_record(
        report=r,
        amount_eur="40",
        paid_on=datetime.date(2025, 11, 3),
        actor=treasurer,
        on=datetime.date(2025, 11, 3),
    )
    assert overdue(reseller, on=datetime.date(2025, 11, 3)) == ([], [])


def test_only_a_treasurer_records_share_payments_and_never_too_much(reseller, treasurer):
    r = report(reseller, Q3)
    with pytest.raises(PermissionDenied):
        services.revenue_share_payment_record(
            report=r,
            amount_eur="100",
            paid_on=datetime.date(2026, 6, 1),
            actor=reseller.admin_user,
            on=datetime.date(2026, 6, 15),
        )
    with pytest.raises(ValidationError, match="outstanding"):
        services.revenue_share_payment_record(
            report=r,
            amount_eur="100.01",
            paid_on=datetime.date(2026, 6, 1),
            actor=treasurer,
            on=datetime.date(2026, 6, 15),
        )


def test_set_based_standing_for_many_resellers_in_few_queries(
    reseller, django_assert_max_num_queries
):
    other = StewardFactory()  # no operational member: nothing required
    on = datetime.date(2025, 11, 1)
    with django_assert_max_num_queries(4):
        result = resellers_standing_for([reseller.pk, other.pk], on=on)
    assert {pk: (s.missing_quarters, s.unpaid_quarters) for pk, s in result.items()} == {
        reseller.pk: ([Q3], []),
        other.pk: ([], []),
    }


def test_the_status_rule_names_the_overdue_quarters(reseller, treasurer):
    from membership.models import Membership
    from standing.selectors import status_evaluate

    report(reseller, Q3, on=datetime.date(2025, 10, 5))  # reported, never paid
    (evaluation,) = status_evaluate(
        Membership.objects.filter(member=reseller.member), on=datetime.date(2026, 2, 1)
    )
    (reason,) = [r for r in evaluation.reasons if r.code == "reseller_overdue"]
    assert not reason.ok
    assert reason.params == {"reports": "2025-Q4", "payments": "2025-Q3"}
