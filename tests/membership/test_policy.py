import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from meetcoop.core.errors import DomainError
from membership.selectors import policies_by_date, policy_in_force
from membership.services import policy_create
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

RISE = datetime.date(2026, 3, 1)


@pytest.fixture
def two_policies():
    old = PolicyFactory(effective_from=datetime.date(2020, 1, 1))
    new = PolicyFactory(effective_from=RISE, commitment_money=Decimal("1000.00"))
    return old, new


def test_policy_before_the_effective_date_is_the_older_one(two_policies):
    old, _new = two_policies
    assert policy_in_force(on=RISE - datetime.timedelta(days=1)) == old


def test_policy_on_the_effective_date_is_the_new_one(two_policies):
    _old, new = two_policies
    assert policy_in_force(on=RISE) == new
    assert policy_in_force(on=RISE).commitment_money == Decimal("1000.00")


def test_policy_after_the_effective_date_is_the_new_one(two_policies):
    _old, new = two_policies
    assert policy_in_force(on=RISE + datetime.timedelta(days=400)) == new


def test_no_policy_before_the_first_one_is_an_error(two_policies):
    with pytest.raises(DomainError):
        policy_in_force(on=datetime.date(2019, 12, 31))


def test_policies_by_date_answers_many_dates_in_one_query(two_policies, django_assert_num_queries):
    old, new = two_policies
    days = [datetime.date(2021, 5, 5), RISE, datetime.date(2027, 1, 1)]
    with django_assert_num_queries(1):
        result = policies_by_date(days)
    assert result == {days[0]: old, days[1]: new, days[2]: new}


def test_hour_value_comes_from_the_policy():
    policy = PolicyFactory.build(commitment_money=Decimal("500.00"), commitment_hours=Decimal("40"))
    assert policy.hour_value == Decimal("12.50")
    raised = PolicyFactory.build(
        commitment_money=Decimal("1000.00"), commitment_hours=Decimal("40")
    )
    assert raised.hour_value == Decimal("25.00")


def test_a_new_policy_cannot_start_in_the_past(two_policies, coop_admin):
    with pytest.raises(ValidationError):
        policy_create(
            actor=coop_admin,
            effective_from=datetime.date(2021, 1, 1),
            currency="EUR",
            commitment_money=Decimal("700.00"),
            commitment_hours=Decimal("40"),
            commitment_deadline_days=365,
            attendance_minimum_percent=Decimal("50"),
            attendance_window_days=365,
            revenue_share_percent=Decimal("10"),
            revenue_report_due_days=30,
            dues_grace_days=30,
            terms_acceptance_days=30,
        )


def test_policy_create_writes_an_audit_entry(coop_admin):
    from meetcoop.core.models import AuditEntry

    policy = policy_create(
        actor=coop_admin,
        effective_from=datetime.date(2099, 1, 1),
        currency="EUR",
        commitment_money=Decimal("700.00"),
        commitment_hours=Decimal("40"),
        commitment_deadline_days=365,
        attendance_minimum_percent=Decimal("50"),
        attendance_window_days=365,
        revenue_share_percent=Decimal("10"),
        revenue_report_due_days=30,
        dues_grace_days=30,
        terms_acceptance_days=30,
    )
    entry = AuditEntry.objects.get(action="membership.policy.created")
    assert entry.actor == coop_admin
    assert entry.object_id == str(policy.pk)


POLICY_VALUES = {
    "currency": "EUR",
    "commitment_money": Decimal("1000.00"),
    "commitment_hours": Decimal("80"),
    "commitment_deadline_days": 365,
    "attendance_minimum_percent": Decimal("50"),
    "attendance_window_days": 365,
    "revenue_share_percent": Decimal("10"),
    "revenue_report_due_days": 30,
    "dues_grace_days": 30,
    "terms_acceptance_days": 30,
}


def test_a_new_policy_starts_tomorrow_at_the_earliest(policy, coop_admin):
    """Someone who applied this morning is bound by the policy in force today: a policy
    made at noon to start today would take its place for them."""
    from django.utils import timezone
    from freezegun import freeze_time

    from membership.selectors import policy_in_force

    with freeze_time("2026-05-04 11:00:00"):
        today = timezone.localdate()
        bound = policy_in_force(on=today)
        with pytest.raises(ValidationError) as refused:
            policy_create(actor=coop_admin, effective_from=today, **POLICY_VALUES)
        assert "tomorrow at the earliest" in str(refused.value)
        assert policy_in_force(on=today) == bound
        tomorrow = today + datetime.timedelta(days=1)
        raised = policy_create(actor=coop_admin, effective_from=tomorrow, **POLICY_VALUES)
        assert policy_in_force(on=today) == bound and policy_in_force(on=tomorrow) == raised


# --- The longest periods a policy may set --------------------------------------------------

DAY_COUNTS = [
    "commitment_deadline_days",
    "attendance_window_days",
    "revenue_report_due_days",
    "dues_grace_days",
    "reseller_report_grace_days",
    "terms_acceptance_days",
    "dues_reminder_days_before_due",
    "dues_reminder_days_before_grace_end",
]


def _create(**values):
    return policy_create(
        actor=None, effective_from=datetime.date(2030, 1, 1), **{**POLICY_VALUES, **values}
    )


@pytest.mark.parametrize("name", DAY_COUNTS)
def test_a_policy_period_is_at_most_ten_years_of_days(name):
    with pytest.raises(ValidationError) as refused:
        _create(**{name: 3651})
    assert list(refused.value.message_dict) == [name]
    assert _create(**{name: 3650}).__dict__[name] == 3650


def test_the_register_is_kept_at_most_a_hundred_years():
    with pytest.raises(ValidationError) as refused:
        _create(register_retention_years=101)
    assert list(refused.value.message_dict) == ["register_retention_years"]
    assert _create(register_retention_years=100).register_retention_years == 100


def test_a_correction_is_bounded_too():
    from membership.services import policy_update

    policy = _create()
    with pytest.raises(ValidationError) as refused:
        policy_update(policy=policy, actor=None, revenue_report_due_days=3_000_000)
    assert list(refused.value.message_dict) == ["revenue_report_due_days"]
    policy.refresh_from_db()
    assert policy.revenue_report_due_days == 30
