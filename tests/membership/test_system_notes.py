"""The notes the system writes on a status change (an admission, an approval, a membership
added in the admin) are stored as codes and read in the reader's language: on the member's
page, in the admin's history; migration 0023 turns the notes stored before as words, in any
shipped language, into those codes."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext

from membership.admin.status import StatusChangeAdmin
from membership.models import StatusChange
from membership.reasons import status_change_words, system_note
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("membership.migrations.0023_system_notes_as_codes")


def _change(membership, **kwargs):
    return StatusChange.objects.create(
        membership=membership,
        old_status="pending",
        new_status="active",
        effective_on=datetime.date(2026, 1, 15),
        **{"source": "application", **kwargs},
    )


def test_the_admins_history_reads_a_system_note_in_the_readers_language():
    change = _change(MembershipFactory(), reasons=[system_note("admitted_by_assembly")])
    summary = StatusChangeAdmin(StatusChange, None).reason_summary
    assert summary(change) == "Admitted by the Permanent Assembly."
    for language in ("fr", "ca"):
        with translation.override(language):
            assert summary(change) == gettext("Admitted by the Permanent Assembly.")
            assert summary(change) != "Admitted by the Permanent Assembly."


def test_the_mapping_knows_the_notes_in_english_and_in_the_catalogues():
    assert migration.note_as_reason("Admitted by the Permanent Assembly.")["code"] == (
        "admitted_by_assembly"
    )
    assert migration.note_as_reason("Von Hand in der Verwaltung hinzugefügt.")["code"] == (
        "added_in_admin"
    )
    assert migration.note_as_reason("Candidature approuvée par Comuns Reunits.") == {
        "code": "application_approved",
        "ok": True,
        "at_risk": False,
        "params": {"steward": "Comuns Reunits"},
    }
    assert migration.note_as_reason("Suspended for a Fair Use breach.") is None


def test_the_catalogues_spell_the_notes_as_the_migration_knows_them():
    for code, texts in migration.NOTES.items():
        for language in ("ca", "de", "es", "fr"):
            with translation.override(language):
                assert gettext(texts[0]) in texts, (code, language)


def test_stored_notes_become_codes_and_a_persons_note_stays():
    french, german, typed = MembershipFactory(), MembershipFactory(), MembershipFactory()
    _change(french, note="Admission votée par l'Assemblée permanente.")
    _change(german, note="Antrag von Comuns Reunits genehmigt.")
    _change(typed, note="Suspended for a Fair Use breach.", source="person")
    migration.notes_as_codes(apps, None)

    first = StatusChange.objects.get(membership=french)
    assert (first.note, first.reasons) == ("", [system_note("admitted_by_assembly")])
    approved = StatusChange.objects.get(membership=german)
    assert approved.reasons == [system_note("application_approved", steward="Comuns Reunits")]
    with translation.override("es"):
        assert status_change_words(approved) == [
            gettext("Application approved by %(steward)s.") % {"steward": "Comuns Reunits"}
        ]
    assert StatusChange.objects.get(membership=typed).note == "Suspended for a Fair Use breach."
