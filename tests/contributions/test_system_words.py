"""What the system writes into the ledger and the refunds itself (a reversal's description,
the reason of a refund made through the online payment provider) is stored as a code and read
in the reader's language: the member's on My contributions and in the data download, the
admin's in the admin and the CSV export; a reason a person typed stays as typed. Migration
0019 turns the words stored before, in English or any shipped language, into those codes."""

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from contributions import services
from contributions.admin import DuesRefundInline, LedgerEntryAdmin
from contributions.models import DuesRefund, LedgerEntry
from tests.factories import UserFactory

from .test_online_payments import (  # noqa: F401 (fixtures)
    TODAY,
    member,
    pledge,
    refund_event,
    send,
    session_event,
    sessions,
    started,
    stripe_on,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("contributions.migrations.0019_system_words_as_codes_data")

REVERSAL = "Reversal of entry #%(id)s"
REFUNDED = "Refunded through the online payment provider."


@pytest.fixture
def refunded_pledge(client, stripe_on, sessions, pledge):  # noqa: F811
    client.force_login(pledge.user)
    client.post(reverse("contributions:pledge_pay", args=[pledge.invoice.pk]))
    client.logout()
    send(client, session_event("checkout.session.completed", amount=12000))
    send(client, refund_event(amount=12000))
    reversal = LedgerEntry.objects.get(reverses__isnull=False)
    return pledge, reversal


def test_a_refund_through_the_provider_reverses_the_entry_in_codes(refunded_pledge):
    _, reversal = refunded_pledge
    assert (reversal.description, reversal.description_code) == ("", "reversal")
    assert reversal.description_params == {"id": reversal.reverses_id}
    assert (reversal.reason, reversal.reason_code) == ("", "refunded_online")
    assert reversal.description_words == f"Reversal of entry #{reversal.reverses_id}"
    assert reversal.reason_words == REFUNDED
    with translation.override("fr"):
        assert reversal.description_words == gettext(REVERSAL) % {"id": reversal.reverses_id}
        assert reversal.reason_words == gettext(REFUNDED) != REFUNDED


def test_my_contributions_reads_the_reversal_in_the_members_language(client, refunded_pledge):
    paid, reversal = refunded_pledge
    paid.user.language = "de"
    paid.user.save(update_fields=["language"])
    client.force_login(paid.user)
    html = client.get(reverse("contributions:my_ledger")).content.decode()
    with translation.override("de"):
        assert gettext(REVERSAL) % {"id": reversal.reverses_id} in html
        assert gettext(REFUNDED) in html
    assert REFUNDED not in html


def test_the_admin_and_the_export_read_it_in_the_readers_language(client, refunded_pledge):
    _, reversal = refunded_pledge
    entry_admin = LedgerEntryAdmin(LedgerEntry, site)
    with translation.override("es"):
        assert entry_admin.description_words(reversal) == (
            gettext(REVERSAL) % {"id": reversal.reverses_id}
        )
        assert entry_admin.reason_words(reversal) == gettext(REFUNDED) != REFUNDED
    admin = UserFactory(is_staff=True, is_superuser=True, language="ca")
    client.force_login(admin)
    page = client.get(reverse("admin:contributions_ledgerentry_change", args=[reversal.pk]))
    with translation.override("ca"):
        assert gettext(REFUNDED) in page.content.decode()
    response = client.get(reverse("contributions:export_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    (row,) = [r for r in rows if r["id"] == str(reversal.pk)]
    with translation.override("ca"):
        assert row["description"] == gettext(REVERSAL) % {"id": reversal.reverses_id}
        assert row["reason"] == gettext(REFUNDED) != REFUNDED


def test_a_dues_refund_through_the_provider_reads_in_the_readers_language(client, started):  # noqa: F811
    send(client, session_event("checkout.session.completed"))
    send(client, refund_event())
    refund = DuesRefund.objects.get()
    assert (refund.reason, refund.reason_code) == ("", "refunded_online")
    inline = DuesRefundInline(refund.payment.__class__, site)
    with translation.override("fr"):
        assert inline.reason_words(refund) == gettext(REFUNDED) != REFUNDED

    from standing.selectors.data import member_data

    with translation.override("de"):
        data = member_data(started.user, now=timezone.now())
    (membership,) = [m for ms in data["members"] for m in ms["memberships"]]
    (invoice,) = membership["dues_invoices"]
    (payment,) = invoice["payments"]
    (exported,) = payment["refunds"]
    with translation.override("de"):
        assert exported["reason"] == gettext(REFUNDED) != REFUNDED
    assert "reason_code" not in exported


def test_a_persons_reversal_keeps_their_reason_as_typed(refunded_pledge):
    paid, _ = refunded_pledge
    treasurer = UserFactory(is_superuser=True)
    entry = services.money_record(
        member=paid.invoice.membership.member,
        amount="5.00",
        currency="EUR",
        received_on=TODAY,
        description="Cash at the assembly",
        actor=treasurer,
        on=TODAY,
    )
    entry.refresh_from_db()
    if entry.status == LedgerEntry.Status.PENDING:
        entry = services.entry_approve(entry=entry, actor=UserFactory(is_superuser=True), on=TODAY)
    reversal = services.entry_reverse(
        entry=entry, reason="Counted twice.", actor=treasurer, on=TODAY
    )
    assert (reversal.reason, reversal.reason_code) == ("Counted twice.", "")
    with translation.override("fr"):
        assert reversal.reason_words == "Counted twice."
        assert reversal.description_words == gettext(REVERSAL) % {"id": entry.pk}
    assert entry.description_words == "Cash at the assembly"


def test_the_catalogues_spell_the_words_as_the_migration_knows_them():
    for language in ("ca", "de", "es", "fr"):
        with translation.override(language):
            assert gettext(REVERSAL) in migration.REVERSAL, language
            assert gettext(REFUNDED) in migration.REFUNDED_ONLINE, language


def as_written_before(model, trigger, pk, **words):
    """Store ``words`` on a row as they were written before codes (the tables refuse edits:
    their trigger is set aside, as the migration does)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {model._meta.db_table} DISABLE TRIGGER {trigger}")
        model._base_manager.filter(pk=pk).update(**words)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {model._meta.db_table} ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_stored_reversals_become_codes_and_a_persons_words_stay(refunded_pledge):
    _, reversal = refunded_pledge
    original = reversal.reverses
    # As written before codes: in French, the language active at the time.
    as_written_before(
        LedgerEntry,
        migration.LEDGER_TRIGGER,
        reversal.pk,
        description=f"Contre-passation de l'écriture nº {original.pk}",
        description_code="",
        description_params={},
        reason="Remboursé par le prestataire de paiement en ligne.",
        reason_code="",
    )
    migration.words_as_codes(apps, None)

    reversal = LedgerEntry.objects.get(pk=reversal.pk)
    assert (reversal.description, reversal.description_code) == ("", "reversal")
    assert reversal.description_params == {"id": original.pk}
    assert (reversal.reason, reversal.reason_code) == ("", "refunded_online")
    with translation.override("es"):
        assert reversal.reason_words == gettext(REFUNDED)
    original = LedgerEntry.objects.get(pk=original.pk)
    assert (original.description_code, original.reason_code) == ("", "")


def test_stored_refund_reasons_become_codes_and_a_persons_reason_stays(client, started):  # noqa: F811
    send(client, session_event("checkout.session.completed"))
    send(client, refund_event())
    refund = DuesRefund.objects.get()
    as_written_before(
        DuesRefund,
        migration.REFUND_TRIGGER,
        refund.pk,
        reason="Über den Online-Zahlungsdienst erstattet.",
        reason_code="",
    )
    typed = DuesRefund.objects.create(
        payment=refund.payment,
        amount=refund.amount,
        currency=refund.currency,
        refunded_on=TODAY,
        sequence=2,
        reason="Paid twice by mistake.",
    )
    migration.words_as_codes(apps, None)

    refund = DuesRefund.objects.get(pk=refund.pk)
    assert (refund.reason, refund.reason_code) == ("", "refunded_online")
    typed = DuesRefund.objects.get(pk=typed.pk)
    assert (typed.reason, typed.reason_code) == ("Paid twice by mistake.", "")


def test_money_recorded_without_a_description_reads_money_in_the_readers_language(
    refunded_pledge,
):
    paid, _ = refunded_pledge
    entry = services.money_record(
        member=paid.invoice.membership.member,
        amount="5.00",
        currency="EUR",
        received_on=TODAY,
        description="  ",
        actor=UserFactory(is_superuser=True),
        on=TODAY,
    )
    assert (entry.description, entry.description_code) == ("", "money")
    with translation.override("de"):
        assert entry.description_words == gettext("Money") != "Money"
    # Written before codes, in Catalan: the migration makes it the code.
    as_written_before(
        LedgerEntry,
        migration.LEDGER_TRIGGER,
        entry.pk,
        description="Diners",
        description_code="",
    )
    migration.words_as_codes(apps, None)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    assert (entry.description, entry.description_code) == ("", "money")
    for language in ("ca", "de", "es", "fr"):
        with translation.override(language):
            assert gettext("Money") in migration.MONEY, language
