import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contributions import services
from contributions.models import DuesInvoice, DuesPayment
from contributions.tasks import issue_next_dues_invoices
from meetcoop.core.models import AppendOnlyError
from membership.models import Membership
from standing.selectors import status_evaluate
from tests.factories import (
    DuesInvoiceFactory,
    MembershipFactory,
    PolicyFactory,
    ServiceLevelFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 1, 1)


def dues_ok(memberships, *, on) -> dict[int, bool]:
    """Whether each membership passes the dues rule on ``on``, as the status job decides it
    (unpaid past the due date plus the grace period of the policy in force on ``on``)."""
    evaluations = status_evaluate(
        Membership.objects.filter(pk__in=[m.pk for m in memberships]), on=on
    )
    return {
        e.membership_id: next(r.ok for r in e.reasons if r.code.startswith("dues_"))
        for e in evaluations
    }


def in_good_standing(membership, *, on) -> bool:
    return dues_ok([membership], on=on)[membership.pk]


@pytest.fixture
def invoice(db):
    PolicyFactory()  # 30 days of grace
    return DuesInvoiceFactory(due_on=DUE, period_start=DUE, amount=Decimal("10.00"))


@pytest.fixture
def treasurer(db):
    from django.contrib.auth.models import Group

    from meetcoop.core.roles import TREASURERS

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return user


def test_unpaid_invoice_is_in_good_standing_on_the_last_day_of_grace(invoice):
    assert in_good_standing(invoice.membership, on=DUE + datetime.timedelta(days=30))


def test_unpaid_invoice_is_out_of_good_standing_the_day_after_grace(invoice):
    assert not in_good_standing(invoice.membership, on=DUE + datetime.timedelta(days=31))


def test_payment_after_grace_restores_good_standing_from_its_date(invoice, treasurer):
    paid_on = DUE + datetime.timedelta(days=40)
    services.dues_payment_record(
        invoice=invoice,
        amount="10",
        currency="EUR",
        paid_on=paid_on,
        actor=treasurer,
        on=paid_on,
    )
    assert not in_good_standing(invoice.membership, on=paid_on - datetime.timedelta(days=1))
    assert in_good_standing(invoice.membership, on=paid_on)


def test_a_partial_payment_is_not_enough(invoice, treasurer):
    services.dues_payment_record(
        invoice=invoice, amount="9.99", currency="EUR", paid_on=DUE, actor=treasurer, on=DUE
    )
    assert not in_good_standing(invoice.membership, on=DUE + datetime.timedelta(days=31))


def test_grace_period_comes_from_the_policy(invoice):
    PolicyFactory(effective_from=datetime.date(2026, 1, 15), dues_grace_days=60)
    assert in_good_standing(invoice.membership, on=DUE + datetime.timedelta(days=45))
    assert not in_good_standing(invoice.membership, on=DUE + datetime.timedelta(days=61))


def test_good_standing_of_many_memberships_at_once(invoice):
    fine = MembershipFactory()
    late = DuesInvoiceFactory(due_on=DUE, period_start=DUE).membership
    result = dues_ok([invoice.membership, fine, late], on=DUE + datetime.timedelta(days=31))
    assert result == {invoice.membership.pk: False, fine.pk: True, late.pk: False}


def test_payment_must_match_the_invoice_currency_and_not_overpay(invoice, treasurer):
    with pytest.raises(ValidationError, match="currency"):
        services.dues_payment_record(
            invoice=invoice, amount="10", currency="CAD", paid_on=DUE, actor=treasurer, on=DUE
        )
    with pytest.raises(ValidationError, match="outstanding"):
        services.dues_payment_record(
            invoice=invoice, amount="10.01", currency="EUR", paid_on=DUE, actor=treasurer, on=DUE
        )
    services.dues_payment_record(
        invoice=invoice, amount="10", currency="EUR", paid_on=DUE, actor=treasurer, on=DUE
    )
    with pytest.raises(ValidationError, match="already paid"):
        services.dues_payment_record(
            invoice=invoice, amount="1", currency="EUR", paid_on=DUE, actor=treasurer, on=DUE
        )


def test_the_stewards_admin_records_payments_another_stewards_admin_may_not(invoice):
    own_admin, other_admin = UserFactory(), UserFactory()
    invoice.membership.steward.admins.add(own_admin)
    StewardFactory().admins.add(other_admin)
    with pytest.raises(PermissionDenied):
        services.dues_payment_record(
            invoice=invoice, amount="10", currency="EUR", paid_on=DUE, actor=other_admin, on=DUE
        )
    payment = services.dues_payment_record(
        invoice=invoice, amount="10", currency="EUR", paid_on=DUE, actor=own_admin, on=DUE
    )
    assert payment.recorded_by == own_admin


def test_a_payment_is_never_changed(invoice, treasurer):
    payment = services.dues_payment_record(
        invoice=invoice, amount="10", currency="EUR", paid_on=DUE, actor=treasurer, on=DUE
    )
    payment.amount = Decimal("1")
    with pytest.raises(AppendOnlyError):
        payment.save()
    with pytest.raises(AppendOnlyError):
        DuesPayment.objects.all().delete()


# --- issuing --------------------------------------------------------------------------------


def test_first_invoice_is_issued_once_and_free_gets_none(db):
    PolicyFactory()
    membership = MembershipFactory(service_level=ServiceLevelFactory(period="quarter"))
    first = services.dues_invoice_issue_first(membership=membership, on=DUE)
    again = services.dues_invoice_issue_first(membership=membership, on=DUE)
    assert first == again and first.period_end == datetime.date(2026, 3, 31)
    free = MembershipFactory(service_level=ServiceLevelFactory(minimum_amount=Decimal("0")))
    assert services.dues_invoice_issue_first(membership=free, on=DUE) is None


def test_task_issues_the_next_period_once(invoice):
    membership = invoice.membership  # monthly, January invoiced
    assert issue_next_dues_invoices("2026-01-31") == 0  # January not over
    assert issue_next_dues_invoices("2026-02-01") == 1
    assert issue_next_dues_invoices("2026-02-01") == 0  # running it twice issues nothing twice
    february = DuesInvoice.objects.get(
        membership=membership, period_start=datetime.date(2026, 2, 1)
    )
    assert (february.period_end, february.due_on) == (
        datetime.date(2026, 2, 28),
        datetime.date(2026, 2, 1),
    )
    assert february.amount == membership.service_level.minimum_amount


def test_task_skips_ended_and_free_memberships(invoice):
    ended = DuesInvoiceFactory(period_start=DUE, membership__status="ended").membership
    free = DuesInvoiceFactory(
        period_start=DUE, membership__service_level__minimum_amount=Decimal("0")
    ).membership
    issue_next_dues_invoices("2026-02-01")
    assert ended.dues_invoices.count() == 1
    assert free.dues_invoices.count() == 1
    assert invoice.membership.dues_invoices.count() == 2


def test_unpaid_dues_lists_outstanding_amounts_for_the_status_job(
    invoice, treasurer, django_assert_num_queries
):
    from contributions.selectors import unpaid_dues_for

    services.dues_payment_record(
        invoice=invoice, amount="4", currency="EUR", paid_on=DUE, actor=treasurer, on=DUE
    )
    later = DuesInvoiceFactory(
        membership=invoice.membership, period_start=datetime.date(2026, 2, 1)
    )
    paid_up = MembershipFactory()
    with django_assert_num_queries(1):
        result = unpaid_dues_for([invoice.membership.pk, paid_up.pk], on=datetime.date(2026, 2, 1))
    assert result == {
        invoice.membership.pk: [
            (DUE, Decimal("6.00"), "EUR"),
            (later.due_on, Decimal("10.00"), "EUR"),
        ]
    }
    # not yet due: not listed
    assert unpaid_dues_for([invoice.membership.pk], on=datetime.date(2026, 1, 31)) == {
        invoice.membership.pk: [(DUE, Decimal("6.00"), "EUR")]
    }
