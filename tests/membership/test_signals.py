"""The signals' contracts (docs/architecture.md): membership_created is sent inside the
creating transaction, its receiver in contributions issues the first invoice there, and a
receiver's refusal rolls the creation back."""

import datetime
from decimal import Decimal

import pytest

from contributions.models import DuesInvoice
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AuditEntry
from membership.models import Membership
from membership.services import membership_create
from membership.signals import membership_created
from tests.factories import MemberFactory, ServiceLevelFactory, StewardFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def create(member, *, type="user", level=None):
    return membership_create(
        member=member,
        type=type,
        steward=StewardFactory(),
        service_level=level,
        status="active",
        applied_on=DAY,
        admitted_on=DAY,
        actor=None,
    )


def test_any_user_membership_created_gets_its_first_invoice_in_the_same_transaction():
    level = ServiceLevelFactory(minimum_amount=Decimal("25.00"), currency="EUR")
    membership = create(MemberFactory(), level=level)
    invoice = DuesInvoice.objects.get(membership=membership)
    assert (invoice.amount, invoice.currency, invoice.period_start) == (
        Decimal("25.00"),
        "EUR",
        DAY,
    )
    assert AuditEntry.objects.filter(action="contributions.dues.issued").count() == 1
    assert AuditEntry.objects.filter(action="membership.membership.created").count() == 1


@pytest.mark.usefixtures("policy")  # an operational membership is bound by a policy
def test_an_operational_membership_or_a_free_level_owes_no_invoice():
    create(MemberFactory(), type="operational")
    create(MemberFactory(), level=ServiceLevelFactory(minimum_amount=Decimal("0.00")))
    assert not DuesInvoice.objects.exists()


def test_a_receiver_that_refuses_rolls_the_creation_back():
    def refuse(sender, **kwargs):
        raise DomainError("Refused by a receiver.")

    membership_created.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(DomainError, match="Refused by a receiver"):
            create(MemberFactory(), level=ServiceLevelFactory())
    finally:
        membership_created.disconnect(dispatch_uid="test-refuse")
    assert not Membership.objects.exists()
    assert not DuesInvoice.objects.exists()
    assert not AuditEntry.objects.filter(action="membership.membership.created").exists()


def test_a_second_open_membership_of_the_same_type_is_refused_with_a_domain_error():
    member = MemberFactory()
    create(member, level=ServiceLevelFactory())
    with pytest.raises(DomainError, match="already holds"):
        create(member, level=ServiceLevelFactory())
    assert Membership.objects.filter(member=member).count() == 1
