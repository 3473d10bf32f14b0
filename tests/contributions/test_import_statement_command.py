"""``manage.py import_statement``: the same import as the page, for statements delivered by
SFTP, run by cron as the system."""

import datetime
import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from contributions import services
from contributions.models import BankStatement, DuesPayment, LedgerEntry, PledgeInvoice
from tests.factories import (
    DuesInvoiceFactory,
    MemberFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardFactory,
)

from .bank_samples import BILLION_LAUGHS, CSV_MAPPING, bank_csv, camt, entry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with freeze_time("2026-01-15 12:00:00"):
        yield


@pytest.fixture
def world(db, tmp_path):
    PolicyFactory()
    steward = StewardFactory(slug="ours")
    invoice = DuesInvoiceFactory(
        membership=MembershipFactory(member=MemberFactory(name="Ana Pérez"), steward=steward),
        amount=Decimal("10.00"),
    )
    pledge = PledgeInvoice.objects.create(
        membership=OperationalMembershipFactory(),
        amount=Decimal("80.00"),
        currency="EUR",
        due_on=datetime.date(2026, 6, 1),
    )
    path = tmp_path / "camt053.xml"
    path.write_bytes(
        camt(
            entry("10.00", name="Ana Perez", ref=invoice.reference, acct_ref="C1"),
            entry("80.00", name="Pledger", ref=pledge.reference, acct_ref="C2"),
            entry("3.00", name="Nobody", acct_ref="C3"),
            entry("2.00", credit=False, name="Bank", acct_ref="C4"),
        )
    )
    return {"steward": steward, "invoice": invoice, "pledge": pledge, "path": path}


def run(*args):
    out = io.StringIO()
    call_command("import_statement", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_command_prints_each_line_and_records_the_matched_dues(world):
    output = run(world["path"])
    assert "2026-01-10" in output and "Ana Perez" in output and "[matched]" in output
    assert "[debit]" in output and "No open invoice" in output
    assert "matched on the statement's page" in output  # pledges: by a treasurer
    assert "Payments recorded: 1." in output
    payment = DuesPayment.objects.get()
    assert payment.invoice == world["invoice"] and payment.recorded_by is None
    assert payment.source_key.startswith("bank:") and not LedgerEntry.objects.exists()


def test_a_dry_run_records_nothing(world):
    output = run(world["path"], "--dry-run")
    assert "[matched]" in output and "Dry run" in output
    assert not BankStatement.objects.exists() and not DuesPayment.objects.exists()


def test_running_twice_records_nothing_twice(world):
    run(world["path"])
    output = run(world["path"])
    assert "already imported" in output and "[recorded]" in output
    assert DuesPayment.objects.count() == 1 and BankStatement.objects.count() == 1


def test_the_steward_scopes_the_invoices(world):
    other = StewardFactory(slug="other")
    run(world["path"], "--steward", other.slug)
    assert not DuesPayment.objects.exists()
    assert BankStatement.objects.get().steward == other


def test_a_csv_statement_is_read_with_the_named_mapping(world, tmp_path):
    services.bank_csv_mapping_save(steward=world["steward"], actor=None, **CSV_MAPPING)
    path = tmp_path / "export.csv"
    path.write_bytes(bank_csv([["10/01/2026", "10,00", "Ana Pérez", "quota", "S-1"]]))
    output = run(path, "--steward", "ours", "--mapping", CSV_MAPPING["name"])
    assert "Amount" in output and DuesPayment.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "Can't read"),
        (b"<Document/>", [], "not a CAMT.053"),
        (BILLION_LAUGHS, [], "declares entities"),
        (b"a;b\n1;2\n", [], "mapping"),
        (b"<Document/>", ["--steward", "nope"], "No steward"),
        (b"a;b\n", ["--mapping", "nope"], "No CSV mapping"),
    ],
)
def test_an_unreadable_file_is_a_clear_error(world, tmp_path, content, args, message):
    path = tmp_path / "statement"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path, *args)
    assert not BankStatement.objects.exists()


def test_from_the_shell_a_missing_file_exits_1_without_a_traceback(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "meetcoop.settings.test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "import_statement", str(tmp_path / "missing.xml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Can't read" in done.stderr and "Traceback" not in done.stderr
