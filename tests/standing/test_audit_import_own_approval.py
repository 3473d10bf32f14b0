"""Audit: an import records nobody as approving their own contributions (DOMAIN.md: an entry
is approved by someone who is not the member it credits; docs/import.md)."""

import datetime
import pathlib
from decimal import Decimal

import pytest
from django.utils import timezone

from contributions.models import LedgerEntry
from governance.models import Circle
from standing.services import coop_import
from tests.factories import (
    CoopStewardFactory,
    ServiceLevelFactory,
    TermsVersionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "docs" / "import-samples"
TODAY = datetime.date(2026, 1, 10)
CONTRIBUTIONS = (
    "id,member,kind,date,description,amount,currency,eur_rate,hours,circle,approved_by,"
    "approved_on\n"
)


@pytest.fixture
def importer(db):
    CoopStewardFactory()
    ServiceLevelFactory(code="free", minimum_amount=Decimal("0"))
    Circle.objects.create(slug="tech", name="Tech")
    Circle.objects.create(slug="outreach", name="Outreach")
    published = timezone.make_aware(datetime.datetime(2024, 1, 1))
    for document in ("terms_of_use", "fair_use"):
        TermsVersionFactory(document=document, version="1.0", published_at=published)
    return UserFactory(email="importer@example.org", is_superuser=True, is_staff=True)


def files(**replace):
    found = {p.name: p.read_bytes() for p in sorted(SAMPLES.glob("*.csv"))}
    for name, text in replace.items():
        found[name] = text.encode()
    return list(found.items())


def errors(result):
    return {(e.file, e.line, e.column): e.reason for e in result.errors}


def test_hours_approved_by_a_contact_of_the_credited_member_are_refused(importer):
    UserFactory(email="kenji@example.org")  # M004's contact in contacts.csv
    result = coop_import(
        files=files(
            **{
                "contributions.csv": CONTRIBUTIONS
                + "L004,M004,labour,2025-05-02,Upgraded the servers,,,,8,tech,"
                "Kenji@example.org,\n"
            }
        ),
        actor=importer,
        today=TODAY,
    )

    assert errors(result) == {
        ("contributions.csv", 2, "approved_by"): "kenji@example.org acts for the member "
        "this entry credits: nobody approves their own contributions."
    }
    assert not result.written and LedgerEntry.objects.count() == 0


def test_the_importer_does_not_approve_the_contributions_of_a_member_it_acts_for(importer):
    contacts = (SAMPLES / "contacts.csv").read_text() + (
        "C007,M001,importer@example.org,Importer,,no,en\n"
    )
    result = coop_import(
        files=files(
            **{
                "contacts.csv": contacts,
                "contributions.csv": CONTRIBUTIONS
                + "L001,M001,money,2025-01-20,Opening contribution,500.00,EUR,,,,,\n"
                "L002,M002,money,2025-02-15,Opening contribution,600.00,CAD,0.68,,,,\n",
            }
        ),
        actor=importer,
        today=TODAY,
    )

    # Without approved_by the person importing approves it: not for a member it acts for.
    assert errors(result) == {
        ("contributions.csv", 2, "approved_by"): "You act for the member this entry credits: "
        "nobody approves their own contributions. Name who approved it in approved_by."
    }
    assert not result.written


def test_someone_else_approving_is_imported(importer):
    UserFactory(email="treasurer@example.org")
    result = coop_import(
        files=files(
            **{
                "contributions.csv": CONTRIBUTIONS
                + "L004,M004,labour,2025-05-02,Upgraded the servers,,,,8,tech,"
                "treasurer@example.org,\n"
            }
        ),
        actor=importer,
        today=TODAY,
    )

    assert result.errors == [] and result.written
    assert LedgerEntry.objects.get().decided_by.email == "treasurer@example.org"
