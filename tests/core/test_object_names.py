"""A row's name, as the admin shows it (inline rows, the audit log's objects, delete pages),
is worded in the reader's language: a status by its label, money as the language writes it,
never a stored code ("active → suspended") or a hand-made "12.50 EUR"."""

from decimal import Decimal

import pytest
from django.utils import translation

from membership.services import membership_status_set
from resellers.models import Application, ApplicationDecision
from tests.factories import (
    ApplicationFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_status_change_is_named_by_the_statuses_labels():
    membership = MembershipFactory(status="active")
    membership_status_set(
        membership=membership, status="suspended", actor=UserFactory(), note="Ref. 42"
    )
    change = membership.status_changes.latest("changed_at")
    with translation.override("de"):
        name = str(change)
        labels = (str(membership.Status("active").label), str(membership.Status("suspended").label))
    assert f"{labels[0]} → {labels[1]}" in name
    assert "active → suspended" not in name


def test_an_application_decision_is_named_by_the_statuses_labels():
    application = ApplicationFactory(status="submitted")
    decision = ApplicationDecision.objects.create(
        application=application, status_from="submitted", status_to="waitlisted"
    )
    with translation.override("de"):
        name = str(decision)
        waitlisted = str(Application.Status.WAITLISTED.label)
    assert name.endswith(f"→ {waitlisted}")
    assert "waitlisted" not in name


def test_a_dues_payment_is_named_with_its_money_as_the_reader_writes_it():
    invoice = DuesInvoiceFactory(amount=Decimal("1234.50"), currency="EUR")
    payment = DuesPaymentFactory(invoice=invoice)
    with translation.override("de"):
        assert str(payment).startswith("1.234,50\xa0€")
