"""A treasurer refunds a dues payment, whole or in part, or moves it to the invoice it paid:
only new rows, never beyond what was paid, the invoice's paid state and the member's
standing following, and each steward's admins acting on their own steward's payments only."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from contributions import selectors, services
from contributions.models import DuesInvoice, DuesPayment, DuesRefund
from meetcoop.core.models import AuditEntry
from meetcoop.core.roles import TREASURERS, ensure_role_groups
from membership.models import Membership
from standing.selectors import status_evaluate
from tests.factories import (
    DuesInvoiceFactory,
    DuesPaymentFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

from .races import race

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 1, 1)
TODAY = datetime.date(2026, 3, 1)  # 59 days after DUE: past its 30 days of grace


@pytest.fixture
def world(db):
    ensure_role_groups()
    PolicyFactory()  # 30 days of grace
    mine, theirs = StewardFactory(name="Mine"), StewardFactory(name="Theirs")
    treasurer = UserFactory(is_staff=True)
    treasurer.groups.add(Group.objects.get(name=TREASURERS))
    invoice = DuesInvoiceFactory(
        membership__steward=mine, due_on=DUE, period_start=DUE, amount=Decimal("10.00")
    )
    payment = DuesPaymentFactory(invoice=invoice, paid_on=DUE)
    their_payment = DuesPaymentFactory(invoice__membership__steward=theirs, paid_on=DUE)
    return {
        "mine": mine,
        "theirs": theirs,
        "treasurer": treasurer,
        "admin": StewardAdminFactory(stewards=[mine]),
        "invoice": invoice,
        "payment": payment,
        "their_payment": their_payment,
    }


def paid(invoice, on=TODAY) -> Decimal:
    invoices = DuesInvoice.objects.filter(pk=invoice.pk)
    return selectors.invoices_with_paid(invoices, on=on)[0].paid


def in_good_standing(membership, *, on) -> bool:
    (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    return next(r.ok for r in evaluation.reasons if r.code.startswith("dues_"))


def refund(world, amount, *, currency="EUR", payment=None, actor=None, reason="Paid twice."):
    return services.dues_payment_refund(
        payment=payment or world["payment"],
        amount=amount,
        currency=currency,
        reason=reason,
        actor=actor or world["treasurer"],
        on=TODAY,
    )


def unmark(*memberships):
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(facts_changed_at=None)


def marked(membership) -> bool:
    return Membership.objects.get(pk=membership.pk).facts_changed_at is not None


# --- refunds -------------------------------------------------------------------------------


def test_a_whole_refund_opens_the_invoice_again_and_the_grace_has_passed(world):
    membership = world["invoice"].membership
    assert paid(world["invoice"]) == Decimal("10.00")
    assert in_good_standing(membership, on=TODAY)
    unmark(membership)

    made = refund(world, "10")

    assert (made.payment, made.amount, made.refunded_on) == (
        world["payment"],
        Decimal("10.00"),
        TODAY,
    )
    assert (made.reason, made.recorded_by) == ("Paid twice.", world["treasurer"])
    assert paid(world["invoice"]) == Decimal("0.00")
    # Due on DUE, its grace ended long ago: unpaid from the refund's day on, not before.
    assert in_good_standing(membership, on=TODAY - datetime.timedelta(days=1))
    assert not in_good_standing(membership, on=TODAY)
    assert marked(membership)  # the nightly job evaluates it again
    assert AuditEntry.objects.filter(action="contributions.dues.refunded").count() == 1


def test_a_partial_refund_leaves_the_rest_paid_and_the_invoice_open(world):
    refund(world, "4")
    assert paid(world["invoice"]) == Decimal("6.00")
    assert selectors.dues_payment_refundable(world["payment"]) == Decimal("6.00")
    assert not in_good_standing(world["invoice"].membership, on=TODAY)
    # The rest can be given back later, and then nothing more.
    refund(world, "6")
    assert paid(world["invoice"]) == Decimal("0.00")
    with pytest.raises(ValidationError, match="already been refunded in full"):
        refund(world, "1")
    assert DuesRefund.objects.count() == 2


def test_an_invoice_refunded_in_part_can_be_paid_again(world):
    refund(world, "4")
    services.dues_payment_record(
        invoice=world["invoice"],
        amount="4",
        currency="EUR",
        paid_on=TODAY,
        actor=world["treasurer"],
        on=TODAY,
    )
    assert paid(world["invoice"]) == Decimal("10.00")
    assert in_good_standing(world["invoice"].membership, on=TODAY)


def test_a_refund_beyond_what_is_left_is_refused(world):
    refund(world, "7")
    with pytest.raises(ValidationError) as error:
        refund(world, "3.01")
    assert error.value.code == "too_much"
    assert error.value.message_dict["amount"] == [
        "Only 3.00 EUR of this payment is left to refund."
    ]
    assert DuesRefund.objects.count() == 1


def test_a_refund_in_another_currency_is_refused(world):
    with pytest.raises(ValidationError) as error:
        refund(world, "5", currency="CAD")
    assert error.value.code == "currency"
    assert not DuesRefund.objects.exists()


def test_a_refund_needs_a_reason(world):
    with pytest.raises(ValidationError, match="Say why"):
        refund(world, "5", reason="   ")
    assert not DuesRefund.objects.exists()


def test_another_stewards_admin_may_not_refund(world):
    with pytest.raises(PermissionDenied):
        refund(world, "5", payment=world["their_payment"], actor=world["admin"])
    refund(world, "5", actor=world["admin"])  # its own steward's payment
    assert DuesRefund.objects.get().payment == world["payment"]


def test_a_stale_second_refund_counts_the_first(world):
    seen_by_b = DuesPayment.objects.get(pk=world["payment"].pk)
    refund(world, "8")
    with pytest.raises(ValidationError, match="Only 2.00 EUR"):
        refund(world, "8", payment=seen_by_b)


def test_unpaid_dues_count_a_payment_refunded_twice_once(world):
    """The nightly selector and the pages' agree when one payment has two refunds."""
    invoice = world["invoice"]
    refund(world, "2")
    refund(world, "3")
    unpaid = selectors.unpaid_dues_for([invoice.membership_id], on=TODAY)
    assert unpaid == {invoice.membership_id: [(DUE, Decimal("5.00"), "EUR")]}
    assert paid(invoice) == Decimal("5.00")
    # Before the refunds' day, the invoice was paid.
    assert (
        selectors.unpaid_dues_for([invoice.membership_id], on=TODAY - datetime.timedelta(1)) == {}
    )


# --- moves ---------------------------------------------------------------------------------


@pytest.fixture
def other_invoice(world):
    """An unpaid invoice of another member of the same steward."""
    return DuesInvoiceFactory(
        membership__steward=world["mine"], due_on=DUE, period_start=DUE, amount=Decimal("10.00")
    )


def move(world, invoice, *, payment=None, actor=None):
    return services.dues_payment_move(
        payment=payment or world["payment"],
        invoice=invoice,
        reason="Recorded on the wrong member's invoice.",
        actor=actor or world["treasurer"],
        on=TODAY,
    )


def test_a_moved_payment_is_refunded_on_its_invoice_and_pays_the_other(world, other_invoice):
    unmark(world["invoice"].membership, other_invoice.membership)
    moved = move(world, other_invoice)

    old = world["payment"]
    assert (moved.invoice, moved.amount, moved.moved_from) == (
        other_invoice,
        Decimal("10.00"),
        old,
    )
    assert moved.paid_on == DUE  # the money came then: the other member paid on time
    (given_back,) = old.refunds.all()
    assert (given_back.amount, given_back.refunded_on, given_back.reason) == (
        Decimal("10.00"),
        TODAY,
        "Recorded on the wrong member's invoice.",
    )
    assert paid(world["invoice"]) == Decimal("0.00")
    assert paid(other_invoice) == Decimal("10.00")
    assert not in_good_standing(world["invoice"].membership, on=TODAY)
    assert in_good_standing(other_invoice.membership, on=TODAY)
    assert marked(world["invoice"].membership) and marked(other_invoice.membership)
    with pytest.raises(ValidationError, match="already been refunded in full"):
        move(world, other_invoice)


def test_a_payment_refunded_in_part_moves_what_is_left(world, other_invoice):
    refund(world, "4")
    moved = move(world, other_invoice)
    assert moved.amount == Decimal("6.00")
    assert paid(world["invoice"]) == Decimal("0.00")
    assert paid(other_invoice) == Decimal("6.00")


def test_a_move_to_another_stewards_invoice_is_refused(world):
    theirs = DuesInvoiceFactory(membership__steward=world["theirs"], amount=Decimal("10.00"))
    with pytest.raises(ValidationError, match="same steward"):
        move(world, theirs)
    assert not DuesRefund.objects.exists()


def test_a_move_beyond_what_the_invoice_owes_is_refused(world, other_invoice):
    DuesPaymentFactory(invoice=other_invoice, amount=Decimal("5.00"))
    with pytest.raises(ValidationError, match="Only 5.00 EUR is outstanding"):
        move(world, other_invoice)
    assert not DuesRefund.objects.exists()
    assert paid(world["invoice"]) == Decimal("10.00")


def test_another_stewards_admin_may_not_move(world, other_invoice):
    with pytest.raises(PermissionDenied):
        move(world, other_invoice, payment=world["their_payment"], actor=world["admin"])


# --- the admin -----------------------------------------------------------------------------


def url(payment, what):
    return f"/admin/contributions/duespayment/{payment.pk}/{what}/"


def test_a_treasurer_refunds_part_of_a_payment_in_the_admin(client, world):
    client.force_login(world["treasurer"])
    page = client.get(f"/admin/contributions/duespayment/{world['payment'].pk}/change/")
    assert url(world["payment"], "refund").encode() in page.content
    assert url(world["payment"], "move").encode() in page.content
    assert client.get(url(world["payment"], "refund")).status_code == 200

    response = client.post(
        url(world["payment"], "refund"),
        {"amount": "2.50", "currency": "EUR", "refunded_on": "2026-02-01", "reason": "Discount"},
    )

    assert response.status_code == 302
    made = DuesRefund.objects.get()
    assert (made.amount, made.refunded_on, made.recorded_by) == (
        Decimal("2.50"),
        datetime.date(2026, 2, 1),
        world["treasurer"],
    )
    page = client.get(response["Location"])
    assert b"Discount" in page.content  # the refund on the payment's page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "10.01"}, b"Only 10.00 EUR of this payment is left to refund."),
        ({"currency": "CAD"}, b"Refund the payment in its own currency (EUR)."),
        ({"reason": ""}, b"This field is required."),
        ({"amount": "abc"}, b"Enter a number."),
    ],
)
def test_a_refund_refused_is_a_form_error(client, world, data, message):
    client.force_login(world["treasurer"])
    form = {"amount": "5", "currency": "EUR", "refunded_on": "2026-02-01", "reason": "x"}
    response = client.post(url(world["payment"], "refund"), {**form, **data})
    assert response.status_code == 200
    assert message in response.content
    assert not DuesRefund.objects.exists()


@pytest.mark.parametrize("what", ["refund", "move"])
def test_another_stewards_payment_is_not_found_by_its_id(client, world, what):
    client.force_login(world["admin"])
    assert client.get(url(world["their_payment"], what)).status_code == 404
    data = {"amount": "5", "currency": "EUR", "refunded_on": "2026-02-01", "reason": "x"}
    assert client.post(url(world["their_payment"], what), data).status_code == 404
    assert client.get(f"/admin/contributions/duespayment/999999/{what}/").status_code == 404
    assert client.get(url(world["payment"], what)).status_code == 200
    assert not DuesRefund.objects.exists()


def test_staff_without_the_right_to_record_dues_may_not_refund(client, world):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url(world["payment"], "refund")).status_code == 403


def test_a_steward_admin_moves_a_payment_in_the_admin(client, world, other_invoice):
    theirs = DuesInvoiceFactory(membership__steward=world["theirs"], amount=Decimal("10.00"))
    client.force_login(world["admin"])
    page = client.get(url(world["payment"], "move"))
    assert f'value="{other_invoice.pk}"'.encode() in page.content
    assert f'value="{theirs.pk}"'.encode() not in page.content
    assert f'value="{world["invoice"].pk}"'.encode() not in page.content

    refused = client.post(url(world["payment"], "move"), {"invoice": theirs.pk, "reason": "x"})
    assert refused.status_code == 200 and b"Select a valid choice" in refused.content

    response = client.post(
        url(world["payment"], "move"), {"invoice": other_invoice.pk, "reason": "Wrong member"}
    )
    assert response.status_code == 302
    moved = DuesPayment.objects.get(moved_from=world["payment"])
    assert response["Location"].endswith(f"/duespayment/{moved.pk}/change/")
    assert (moved.invoice, moved.recorded_by) == (other_invoice, world["admin"])
    assert paid(world["invoice"], on=timezone.localdate()) == Decimal("0.00")


# --- two treasurers at once (PostgreSQL) ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL row locks")
def test_two_treasurers_refunding_at_once_never_give_back_more_than_was_paid(world):
    second = UserFactory(is_staff=True)
    second.groups.add(Group.objects.get(name=TREASURERS))
    results = race(
        lambda: refund(world, "6"),
        lambda: refund(world, "6", actor=second),
    )
    refunds = [r for r in results if isinstance(r, DuesRefund)]
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(refunds) == 1 and len(errors) == 1
    assert errors[0].code == "too_much"
    assert DuesRefund.objects.get().amount == Decimal("6.00")
    assert paid(world["invoice"]) == Decimal("4.00")
