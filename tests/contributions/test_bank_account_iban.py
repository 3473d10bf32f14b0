"""A CSV mapping may name the account its exports are of (its IBAN). The account's entries are
then known by the IBAN, whichever mapping or format brings them: the same account's statement
imported under two mappings, before and after its mapping named the account, or as CSV and as
CAMT, records each transfer once, and half of an invoice is not paid twice."""

import pytest

from contributions import selectors, services
from contributions.models import BankCsvMapping, BankStatement, DuesPayment
from tests.contributions import test_bank_statements as base
from tests.contributions.bank_samples import CSV_MAPPING, bank_csv, camt, entry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

frozen = base.frozen
world = base.world

IBAN = "ES9121000418450200051332"


def confirm_all(statement, treasurer):
    matches, _ = selectors.statement_matches(statement, user=treasurer, on=base.TODAY)
    return services.statement_confirm(
        statement=statement,
        choices={m.line.pk: m.candidate.key for m in matches if m.candidate},
        actor=treasurer,
    )


def import_csv(world, data, mapping, name):
    statement, _ = services.statement_import(
        data=data,
        file_name=name,
        actor=world["treasurer"],
        steward=None,
        mapping=mapping,
        fmt="csv",
    )
    return statement


def mapping(world, name, **fields):
    return services.bank_csv_mapping_save(
        steward=None, actor=world["treasurer"], **(CSV_MAPPING | {"name": name} | fields)
    )


def half_transfer(invoice, entry_id="T-7"):
    return ["10/01/2026", "10,00", "ZOE HALF", invoice.reference, entry_id]


def test_two_mappings_of_one_account_record_a_transfer_once(world):
    invoice = base.invoice_for("Zoe Half", "20.00", world["ours"])
    old = mapping(world, "Sabadell (old export)", iban=IBAN)
    new = mapping(world, "Sabadell", iban="es91 2100 0418 4502 0005 1332")
    assert new.iban == IBAN  # written as the bank prints it, kept compact
    week = import_csv(world, bank_csv([half_transfer(invoice)]), old, "week.csv")
    confirm_all(week, world["treasurer"])
    month = import_csv(
        world,
        bank_csv([["05/01/2026", "5,00", "Someone", "gift", "T-6"], half_transfer(invoice)]),
        new,
        "month.csv",
    )
    assert month.known_entries == 1
    confirm_all(month, world["treasurer"])
    assert DuesPayment.objects.filter(invoice=invoice).count() == 1


def test_entries_imported_before_the_mapping_named_its_account_are_still_known(world):
    invoice = base.invoice_for("Zoe Half", "20.00", world["ours"])
    first = mapping(world, "Sabadell")
    assert first.iban == ""
    week = import_csv(world, bank_csv([half_transfer(invoice)]), first, "week.csv")
    confirm_all(week, world["treasurer"])
    # The bank changed its export: the mapping is defined again, now naming the account, and
    # a second mapping of the same account appears too.
    again = mapping(world, "Sabadell", iban=IBAN)
    other = mapping(world, "Sabadell (business)", iban=IBAN)
    assert again.pk == first.pk
    for day, chosen in (("05", again), ("06", other)):
        gift = [f"{day}/01/2026", "5,00", "Someone", "gift", f"G-{day}"]
        statement = import_csv(world, bank_csv([gift, half_transfer(invoice)]), chosen, day)
        assert statement.known_entries == 1
        assert list(statement.lines.values_list("entry_key", flat=True)) == [f"G-{day}"]
        confirm_all(statement, world["treasurer"])
    assert DuesPayment.objects.filter(invoice=invoice).count() == 1


def test_the_same_account_as_csv_and_as_camt_records_a_transfer_once(world):
    invoice = base.invoice_for("Zoe Half", "20.00", world["ours"])
    named = mapping(world, "Sabadell", iban=IBAN)
    csv_statement = import_csv(world, bank_csv([half_transfer(invoice, "REF-42")]), named, "a.csv")
    confirm_all(csv_statement, world["treasurer"])
    xml = camt(entry("10.00", name="ZOE HALF", ref=invoice.reference, acct_ref="REF-42"), iban=IBAN)
    statement, _ = services.statement_import(
        data=xml, file_name="a.xml", actor=world["treasurer"], steward=None
    )
    assert statement.known_entries == 1
    assert DuesPayment.objects.filter(invoice=invoice).count() == 1


def test_mappings_of_different_accounts_keep_their_entries_apart(world):
    invoice = base.invoice_for("Zoe Half", "20.00", world["ours"])
    one = mapping(world, "Sabadell", iban=IBAN)
    two = mapping(world, "Triodos", iban="NL91ABNA0417164300")
    import_csv(world, bank_csv([half_transfer(invoice)]), one, "one.csv")
    other = import_csv(world, bank_csv([half_transfer(invoice)]), two, "two.csv")
    assert other.known_entries == 0 and other.lines.count() == 1


def test_a_wrong_iban_is_a_message_on_the_form_and_nothing_is_saved(client, world):
    client.force_login(world["treasurer"])
    fields = {k if k != "name" else "mapping_name": v for k, v in CSV_MAPPING.items()}
    response = base.upload(
        client,
        bank_csv([["10/01/2026", "15,00", "Joan Puig Ferrer", "quota", "T-1"]]),
        format="csv",
        iban="ES91 2100 0418 4502 0005 1333",
        **fields,
    )
    assert response.status_code == 400
    assert "not a valid IBAN" in response.content.decode()
    assert not BankCsvMapping.objects.exists() and not BankStatement.objects.exists()


def test_the_form_saves_the_mappings_iban(client, world):
    client.force_login(world["treasurer"])
    fields = {k if k != "name" else "mapping_name": v for k, v in CSV_MAPPING.items()}
    response = base.upload(
        client,
        bank_csv([["10/01/2026", "15,00", "Joan Puig Ferrer", "quota", "T-1"]]),
        format="csv",
        iban="ES91 2100 0418 4502 0005 1332",
        **fields,
    )
    assert response.status_code == 302
    assert BankCsvMapping.objects.get().iban == IBAN
    assert BankStatement.objects.get().lines.get().account == IBAN
