"""Bank details and payment references: IBAN and BIC checked with schwifty; every invoice's
ISO 11649 creditor reference validated by python-stdnum, fixed before the row is saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum import iso11649

from contributions.models import DuesInvoice, PledgeInvoice
from contributions.services import dues_invoices_issue_next
from meetcoop.core.banking import format_iban, format_rf, is_valid_rf, rf_reference
from tests.factories import DuesInvoiceFactory, OperationalMembershipFactory, StewardFactory

pytestmark = pytest.mark.django_db


def test_an_rf_reference_is_valid_and_a_changed_character_is_not():
    reference = rf_reference("D12320260101")
    assert iso11649.is_valid(reference) and is_valid_rf(format_rf(reference))
    altered = reference[:-1] + ("2" if reference[-1] != "2" else "3")
    assert not is_valid_rf(altered)
    with pytest.raises(ValueError):
        rf_reference("X" * 22)


def test_every_invoice_has_a_valid_reference_even_when_issued_in_bulk():
    first = DuesInvoiceFactory(period_start=datetime.date(2026, 1, 1))
    assert iso11649.is_valid(first.reference)
    dues_invoices_issue_next(on=first.period_end + datetime.timedelta(days=1))
    references = list(DuesInvoice.objects.values_list("reference", flat=True))
    assert len(references) == 2 and len(set(references)) == 2
    assert all(iso11649.is_valid(r) for r in references)


def test_a_pledge_invoice_has_its_own_reference():
    membership = OperationalMembershipFactory()
    pledge = PledgeInvoice.objects.create(
        membership=membership, amount="500", currency="EUR", due_on=datetime.date(2027, 1, 1)
    )
    assert iso11649.is_valid(pledge.reference) and pledge.reference.endswith(f"P{membership.pk}")


def test_a_stewards_iban_is_checked_and_stored_compact():
    steward = StewardFactory(iban="DE89 3704 0044 0532 0130 00", bic="cobadeffxxx")
    steward.full_clean()
    assert steward.iban == "DE89370400440532013000" and steward.bic == "COBADEFFXXX"
    assert format_iban(steward.iban) == "DE89 3704 0044 0532 0130 00"
    steward.iban = "DE89 3704 0044 0532 0130 01"  # one digit wrong
    with pytest.raises(ValidationError, match="not a valid IBAN"):
        steward.full_clean()


def test_a_bad_bic_is_refused_and_an_empty_one_is_fine():
    steward = StewardFactory(bic="COBA")
    with pytest.raises(ValidationError, match="not a valid BIC"):
        steward.full_clean()
    steward.bic = ""
    steward.iban = ""
    steward.full_clean()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "DE89 3704 0044 0532 0130 01", "not a valid IBAN"),
        ("iban", "<script>", "not a valid IBAN"),
        ("bic", "NOT A BIC", "not a valid BIC"),
    ],
)
def test_the_steward_admin_form_answers_bad_bank_details_on_their_field(field, value, message):
    from resellers.admin.stewards import StewardForm

    form = StewardForm(
        data={
            "kind": "coop",
            "slug": "co-op",
            "name": "Co-op",
            "languages": ["en"],
            "currencies": ["EUR"],
            field: value,
        }
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
