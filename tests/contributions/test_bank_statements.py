"""Bank statement import (issue 15): CAMT.053 and CSV read safely, lines matched to open
invoices by RF reference then by amount and name, the preview and its confirm, re-imports
that record nothing twice, stewards' admins kept to their own invoices, and a payment in the
grace period that keeps the member active."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from contributions import selectors, services
from contributions.models import (
    BankCsvMapping,
    BankLine,
    BankLineDecision,
    BankStatement,
    DuesPayment,
    LedgerEntry,
    PledgeInvoice,
)
from contributions.statements import find_rf, parse_statement
from meetcoop.core.banking import rf_reference
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AuditEntry
from meetcoop.core.roles import TREASURERS
from tests.factories import (
    DuesInvoiceFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
    UserFactory,
)

from .bank_samples import BILLION_LAUGHS, CSV_MAPPING, bank_csv, camt, entry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = datetime.date(2026, 1, 15)


@pytest.fixture
def frozen():
    with freeze_time("2026-01-15 12:00:00"):
        yield


def treasurer_user():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return user


def invoice_for(name, amount, steward, **kwargs):
    membership = MembershipFactory(member=MemberFactory(name=name), steward=steward, **kwargs)
    return DuesInvoiceFactory(membership=membership, amount=Decimal(amount))


@pytest.fixture
def world(db):
    PolicyFactory()
    ours = StewardFactory(name="Ours")
    theirs = StewardFactory(name="Theirs")
    by_ref = invoice_for("Ana Pérez", "10.00", ours)
    by_name = invoice_for("Joan Puig i Ferrer", "15.00", ours)
    twin_a = invoice_for("Maria Garcia", "20.00", ours)
    twin_b = invoice_for("Maria Garcia", "20.00", theirs)
    other = invoice_for("Olga Otra", "12.00", theirs)
    return {
        "ours": ours,
        "theirs": theirs,
        "by_ref": by_ref,
        "by_name": by_name,
        "twins": (twin_a, twin_b),
        "other": other,
        "treasurer": treasurer_user(),
    }


def january(world, **kwargs) -> bytes:
    return camt(
        entry("10.00", name="A PEREZ", ref=world["by_ref"].reference, acct_ref="E1"),
        entry("15.00", name="PUIG FERRER, JOAN", ustrd="Quota gener", acct_ref="E2"),
        entry("20.00", name="María García", ustrd="dues", acct_ref="E3"),
        entry("30.00", name="Someone Else", ustrd=f"Pay {rf_reference('X999')}", acct_ref="E4"),
        entry("5.00", credit=False, name="Hosting Ltd", ustrd="Invoice 42", acct_ref="E5"),
        **kwargs,
    )


def import_(world, data, *, actor=None, steward=None, name="january.xml"):
    return services.statement_import(
        data=data, file_name=name, actor=actor or world["treasurer"], steward=steward
    )


def proposals(matches):
    return {m.line.pk: m.candidate.key for m in matches if m.candidate}


# --- parsing ----------------------------------------------------------------------------------


def test_camt_lines_are_read_with_amounts_as_decimals(world):
    parsed = parse_statement(january(world))
    assert parsed.format == "camt" and parsed.statement_id == "STMT-2026-01"
    assert parsed.iban == "ES9121000418450200051332"
    first, *_rest, debit = parsed.lines
    assert first.amount == Decimal("10.00") and isinstance(first.amount, Decimal)
    assert first.reference == world["by_ref"].reference and first.entry_key == "E1"
    assert first.booked_on == datetime.date(2026, 1, 10) and first.counterparty == "A PEREZ"
    assert parsed.lines[3].reference == rf_reference("X999")  # found in the free text
    assert not debit.is_credit and debit.counterparty == "Hosting Ltd"


@pytest.mark.parametrize("version", ["02", "04", "08"])
def test_every_camt_053_version_reads_the_same(world, version):
    data = camt(
        entry("1.00", name="X", acct_ref="Z"),
        ns=f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}",
    )
    assert parse_statement(data).lines[0].amount == Decimal("1.00")


def test_an_rf_reference_is_found_in_free_text_with_spaces():
    ref = rf_reference("D1220260101")
    spaced = " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))
    assert find_rf(f"Quota {spaced} gracies") == ref
    assert find_rf("RF00 nothing here") == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<not xml", "not readable XML"),
        (b"<Document><Other/></Document>", "not a CAMT.053"),
        (BILLION_LAUGHS, "declares entities"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(DomainError, match=message):
        parse_statement(data, fmt="camt")


# --- matching and confirming ------------------------------------------------------------------


def test_lines_are_matched_by_reference_then_amount_and_name(world):
    statement, created = import_(world, january(world))
    assert created and statement.lines.count() == 5
    matches, _ = selectors.statement_matches(statement, user=world["treasurer"], on=TODAY)
    states = [m.state for m in matches]
    assert states == ["matched", "matched", "ambiguous", "unmatched", "debit"]
    assert matches[0].candidate.invoice == world["by_ref"]
    assert "Reference RF" in matches[0].reason
    assert matches[1].candidate.invoice == world["by_name"]
    assert "Amount" in matches[1].reason and "PUIG FERRER, JOAN" in matches[1].reason
    assert "2 open invoices" in matches[2].reason
    assert matches[3].reason == "No open invoice with this reference or amount."
    assert matches[4].reason == "Money out: not a payment in."


def test_importing_and_confirming_twice_records_each_payment_once(world):
    treasurer = world["treasurer"]
    statement, _ = import_(world, january(world))
    matches, _ = selectors.statement_matches(statement, user=treasurer, on=TODAY)
    result = services.statement_confirm(
        statement=statement, choices=proposals(matches), actor=treasurer
    )
    assert result.recorded == 2
    assert (
        services.statement_confirm(
            statement=statement, choices=proposals(matches), actor=treasurer
        ).recorded
        == 0
    )
    again, created = import_(world, january(world))
    assert again == statement and not created
    # An overlapping statement (another identifier, the same entries) adds no line.
    overlap, created = import_(world, january(world, statement_id="STMT-2026-01B"), name="b.xml")
    assert created and overlap.lines.count() == 0 and overlap.known_entries == 5
    assert DuesPayment.objects.count() == 2
    payment = DuesPayment.objects.get(invoice=world["by_ref"])
    assert payment.paid_on == datetime.date(2026, 1, 10) and payment.recorded_by == treasurer
    assert payment.source_key == "bank:ES9121000418450200051332:E1"
    assert BankLineDecision.objects.filter(outcome="recorded").count() == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"contributions.statement.imported", "contributions.statement.confirmed"} <= actions
    audit = AuditEntry.objects.filter(action="contributions.statement.confirmed").first()
    assert audit.actor == treasurer and audit.data["sha256"] == statement.sha256


def test_the_treasurer_assigns_an_ambiguous_line_and_skips_another(world):
    treasurer = world["treasurer"]
    statement, _ = import_(world, january(world))
    lines = list(statement.lines.order_by("position"))
    twin = world["twins"][1]
    result = services.statement_confirm(
        statement=statement,
        choices={lines[2].pk: f"d:{twin.pk}", lines[3].pk: "skip"},
        actor=treasurer,
    )
    assert (result.recorded, result.skipped) == (1, 1)
    assert DuesPayment.objects.get().invoice == twin
    open_lines = selectors.unmatched_bank_lines(treasurer)
    assert open_lines.count == 2  # the two proposals left for later (the debit never counts)


def test_an_amount_larger_than_outstanding_is_refused_and_left_open(world):
    treasurer = world["treasurer"]
    data = camt(entry("11.00", name="Ana Pérez", ref=world["by_ref"].reference, acct_ref="B1"))
    statement, _ = import_(world, data)
    match = selectors.statement_matches(statement, user=treasurer, on=TODAY)[0][0]
    assert match.state == "unmatched" and "only" in match.reason
    line = statement.lines.get()
    result = services.statement_confirm(
        statement=statement, choices={line.pk: f"d:{world['by_ref'].pk}"}, actor=treasurer
    )
    assert result.recorded == 0 and "more than" in result.refused[0][1]
    assert not DuesPayment.objects.exists()
    assert selectors.unmatched_bank_lines(treasurer).count == 1


def test_a_pledge_is_paid_by_an_approved_money_entry(world):
    treasurer = world["treasurer"]
    pledge = PledgeInvoice.objects.create(
        membership=OperationalMembershipFactory(member=MemberFactory(name="Pau Casals")),
        amount=Decimal("100.00"),
        currency="EUR",
        due_on=datetime.date(2026, 6, 1),
    )
    statement, _ = import_(
        world, camt(entry("100.00", name="X", ref=pledge.reference, acct_ref="P1"))
    )
    matches, _ = selectors.statement_matches(statement, user=treasurer, on=TODAY)
    result = services.statement_confirm(
        statement=statement, choices=proposals(matches), actor=treasurer
    )
    assert result.recorded == 1 and result.pending == 0
    entry_ = LedgerEntry.objects.get(pledge_invoice=pledge)
    assert entry_.status == "approved" and entry_.amount == Decimal("100.00")


def test_a_treasurer_paying_their_own_pledge_leaves_it_pending(world):
    contact = MemberContactFactory(member__name="Tess Treasurer")
    contact.user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    pledge = PledgeInvoice.objects.create(
        membership=OperationalMembershipFactory(member=contact.member),
        amount=Decimal("50.00"),
        currency="EUR",
        due_on=datetime.date(2026, 6, 1),
    )
    statement, _ = import_(
        world,
        camt(entry("50.00", name="X", ref=pledge.reference, acct_ref="P2")),
        actor=contact.user,
    )
    line = statement.lines.get()
    result = services.statement_confirm(
        statement=statement, choices={line.pk: f"p:{pledge.pk}"}, actor=contact.user
    )
    assert result.recorded == 1 and result.pending == 1
    assert LedgerEntry.objects.get(pledge_invoice=pledge).status == "pending"


# --- CSV --------------------------------------------------------------------------------------


def upload(client, data, *, name="statement.csv", **fields):
    return client.post(
        reverse("contributions:statement_upload"),
        {"file": SimpleUploadedFile(name, data), **fields},
    )


def test_a_csv_mapping_is_defined_once_and_reused(client, world):
    client.force_login(world["treasurer"])
    first = bank_csv([["10/01/2026", "15,00", "Joan Puig Ferrer", "quota", "T-1"]])
    fields = {f"{k}" if k != "name" else "mapping_name": v for k, v in CSV_MAPPING.items()}
    response = upload(client, first, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = BankCsvMapping.objects.get()
    statement = BankStatement.objects.get()
    assert statement.format == "csv" and statement.mapping == mapping
    line = statement.lines.get()
    assert (line.amount, line.entry_key, line.is_credit) == (Decimal("15.00"), "T-1", True)
    # Next time the form offers the mapping, and the import reuses it.
    page = client.get(reverse("contributions:statement_upload"))
    assert page.context["form"].initial["mapping"] == mapping.pk
    second = bank_csv(
        [
            ["10/01/2026", "15,00", "Joan Puig Ferrer", "quota", "T-1"],
            ["12/01/2026", "1.234,50", "Big Payer", "gift", "T-2"],
            ["13/01/2026", "-7,00", "Bank", "fees", "T-3"],
        ]
    )
    response = upload(client, second, name="feb.csv", mapping=mapping.pk)
    assert response.status_code == 302
    assert BankCsvMapping.objects.count() == 1
    newer = BankStatement.objects.exclude(pk=statement.pk).get()
    assert newer.known_entries == 1
    amounts = list(newer.lines.order_by("position").values_list("amount", "is_credit"))
    assert amounts == [(Decimal("1234.50"), True), (Decimal("7.00"), False)]


def test_a_csv_that_does_not_fit_its_mapping_is_refused_on_the_form(client, world):
    client.force_login(world["treasurer"])
    mapping = services.bank_csv_mapping_save(steward=None, actor=world["treasurer"], **CSV_MAPPING)
    bad = b"Date,Amount\n2026-01-10,15.00\n"
    response = upload(client, bad, mapping=mapping.pk, format="csv")
    assert response.status_code == 400
    assert "no column" in response.content.decode()
    assert not BankStatement.objects.exists()


# --- pages and permissions --------------------------------------------------------------------


def test_a_bad_file_gives_a_form_error_and_saves_nothing(client, world):
    client.force_login(world["treasurer"])
    for data in (b"<Document><Nope/></Document>", BILLION_LAUGHS):
        response = upload(client, data, name="x.xml", format="camt")
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
    assert "declares entities" in response.content.decode()
    assert not BankStatement.objects.exists() and not BankLine.objects.exists()


def test_upload_preview_and_confirm_through_the_pages(client, world):
    client.force_login(world["treasurer"])
    response = upload(client, january(world), name="january.xml")
    statement = BankStatement.objects.get()
    assert response["Location"] == reverse("contributions:statement_preview", args=[statement.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Ambiguous" in html and "Money out" in html
    lines = {line.position: line.pk for line in statement.lines.all()}
    posted = {
        f"line-{lines[1]}": f"d:{world['by_ref'].pk}",
        f"line-{lines[2]}": f"d:{world['by_name'].pk}",
    }
    response = client.post(reverse("contributions:statement_preview", args=[statement.pk]), posted)
    assert response.status_code == 302 and DuesPayment.objects.count() == 2
    page = client.get(reverse("contributions:statement_list"))
    assert "january.xml" in page.content.decode()


def test_a_stewards_admin_sees_and_matches_only_its_own_invoices(client, world):
    admin = StewardAdminFactory(stewards=[world["ours"]])
    theirs, _ = import_(world, january(world), steward=world["theirs"], name="theirs.xml")
    client.force_login(admin)
    assert (
        client.get(reverse("contributions:statement_preview", args=[theirs.pk])).status_code == 404
    )
    # Their own statement: only their steward's invoices are offered or matched.
    response = upload(
        client, january(world, statement_id="OURS"), name="ours.xml", steward=world["ours"].pk
    )
    assert response.status_code == 302
    ours = BankStatement.objects.get(file_name="ours.xml")
    page = client.get(reverse("contributions:statement_preview", args=[ours.pk]))
    offered = {c.key for c in page.context["options"]}
    assert f"d:{world['other'].pk}" not in offered and f"d:{world['by_ref'].pk}" in offered
    maria = page.context["matches"][2]  # the other steward's Maria Garcia is no candidate
    assert maria.state == "matched" and maria.candidate.invoice == world["twins"][0]
    line = ours.lines.get(position=4)
    forged = {f"line-{line.pk}": f"d:{world['other'].pk}"}
    response = client.post(reverse("contributions:statement_preview", args=[ours.pk]), forged)
    assert response.status_code == 400 and not DuesPayment.objects.exists()
    # Nor may they import for the other steward.
    response = upload(client, january(world, statement_id="X"), steward=world["theirs"].pk)
    assert response.status_code == 400
    assert selectors.unmatched_bank_lines(admin).count == 4


def test_members_may_not_open_the_statement_pages(client, world):
    client.force_login(UserFactory())
    assert client.get(reverse("contributions:statement_list")).status_code == 403
    assert client.get(reverse("contributions:statement_upload")).status_code == 403


def test_the_preview_reads_a_constant_number_of_queries(client, world):
    client.force_login(world["treasurer"])
    small, _ = import_(world, january(world))
    many = [
        entry(f"{n}.00", name=f"Person {n}", ustrd="x", acct_ref=f"M{n}") for n in range(40, 70)
    ]
    big, _ = import_(world, camt(*many, statement_id="BIG"), name="big.xml")
    for n in range(5):
        invoice_for(f"Extra {n}", "9.00", world["ours"])
    counts = []
    for statement in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("contributions:statement_preview", args=[statement.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


# --- the grace period and the nightly job -----------------------------------------------------


def user_membership_due(steward):
    membership = MembershipFactory(member=MemberFactory(name="Greta Grace"), steward=steward)
    terms = TermsVersionFactory(
        version="1.0", published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    TermsAcceptanceFactory(member=membership.member, terms_version=terms)
    due = datetime.date(2026, 1, 1)
    return DuesInvoiceFactory(membership=membership, due_on=due, period_start=due)


@pytest.mark.parametrize("imported", [True, False])
def test_a_payment_in_the_grace_period_keeps_the_member_active(
    world, imported, django_capture_on_commit_callbacks
):
    from standing.services import status_recompute

    invoice = user_membership_due(world["ours"])
    if imported:
        data = camt(
            entry("10.00", day="2026-01-20", name="G", ref=invoice.reference, acct_ref="G1")
        )
        with freeze_time("2026-01-21 07:00:00"):  # the morning after, inside the grace
            statement, _ = import_(world, data)
            matches, _ = selectors.statement_matches(statement, user=None, on=TODAY)
            result = services.statement_confirm(
                statement=statement, choices=proposals(matches), actor=None
            )
        assert result.recorded == 1
    with freeze_time("2026-02-15 03:00:00"), django_capture_on_commit_callbacks(execute=True):
        status_recompute(on=datetime.date(2026, 2, 15))  # 45 days after due; 30 of grace
    invoice.membership.refresh_from_db()
    assert invoice.membership.status == ("active" if imported else "lapsed")


def test_a_batch_entry_gives_one_line_per_transaction(world):
    # One booked entry of 25.00 made of two transfers (a bank's batch): each is matched on its
    # own, keyed by the entry and its number, so a re-import records neither twice.
    batch = f"""
    <Ntry>
      <Amt Ccy="EUR">25.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
      <BookgDt><Dt>2026-01-10</Dt></BookgDt><AcctSvcrRef>BATCH-1</AcctSvcrRef>
      <NtryDtls>
        <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>A PEREZ</Nm></Dbtr></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>{world["by_ref"].reference}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls>
        <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">15.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>PUIG FERRER, JOAN</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>Quota gener</Ustrd></RmtInf>
        </TxDtls>
      </NtryDtls>
    </Ntry>"""
    statement, _new = import_(world, camt(batch))
    lines = list(statement.lines.order_by("position"))
    assert [(line.amount, line.entry_key) for line in lines] == [
        (Decimal("10.00"), "BATCH-1/1"),
        (Decimal("15.00"), "BATCH-1/2"),
    ]
    assert lines[0].reference == world["by_ref"].reference
    assert lines[1].counterparty == "PUIG FERRER, JOAN"


def test_confirming_marks_every_paid_membership_for_the_nightly_job_in_one_update(world):
    """Each payment recorded marks its membership (the next night evaluates it), and the
    marks of a whole statement are written in one UPDATE, not one per line."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from membership.models import Membership

    treasurer = world["treasurer"]
    statement, _ = import_(world, january(world))
    matches, _ = selectors.statement_matches(statement, user=treasurer, on=TODAY)
    Membership.objects.update(facts_changed_at=None)
    with CaptureQueriesContext(connection) as queries:
        result = services.statement_confirm(
            statement=statement, choices=proposals(matches), actor=treasurer
        )
    assert result.recorded == 2
    marked = set(
        Membership.objects.filter(facts_changed_at__isnull=False).values_list("pk", flat=True)
    )
    assert marked == {world["by_ref"].membership_id, world["by_name"].membership_id}
    marks = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "membership_membership"') and "facts_changed_at" in q["sql"]
    ]
    assert len(marks) == 1


def test_a_bank_name_longer_than_a_mapping_keeps_is_a_form_error(client, world):
    """A name over 100 characters: a message on the form (it was a 500 on PostgreSQL and a
    silently over-long row on SQLite), and nothing saved."""
    client.force_login(world["treasurer"])
    fields = {k if k != "name" else "mapping_name": v for k, v in CSV_MAPPING.items()}
    fields["mapping_name"] = "B" * 150
    data = bank_csv([["10/01/2026", "15,00", "Joan Puig Ferrer", "quota", "T-1"]])
    response = upload(client, data, format="csv", **fields)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not BankCsvMapping.objects.exists()
    assert not BankStatement.objects.exists()


def test_a_batch_with_a_long_entry_reference_keeps_every_transfer(world):
    """The transfers of a batch are keyed "<entry>/1", "<entry>/2": cut to the column's 120
    characters, a long reference made them one key and kept only the first."""
    key = "K" * 130
    batch = f"""
    <Ntry>
      <Amt Ccy="EUR">25.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
      <BookgDt><Dt>2026-01-10</Dt></BookgDt><AcctSvcrRef>{key}</AcctSvcrRef>
      <NtryDtls>
        <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>A PEREZ</Nm></Dbtr></RltdPties>
        </TxDtls>
        <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">15.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>PUIG FERRER, JOAN</Nm></Dbtr></RltdPties>
        </TxDtls>
      </NtryDtls>
    </Ntry>"""
    statement, _new = import_(world, camt(batch))
    lines = list(statement.lines.order_by("position"))
    assert [line.amount for line in lines] == [Decimal("10.00"), Decimal("15.00")]
    assert all(len(line.entry_key) == 120 for line in lines)
    import_(world, camt(batch))  # the same file: the same keys, nothing new
    assert BankLine.objects.count() == 2
