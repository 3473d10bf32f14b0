"""The notes the system wrote on a status change it made (an admission, an approval, a
membership added in the admin) were stored as words in the language active at the time; they
are now stored as a reason code (``membership.reasons.SYSTEM_NOTES``) worded in the reader's
language. This turns the notes written before into those codes, from their words in English
and in every shipped catalogue, so old history reads in the reader's language too. A note a
person typed is left as it is.

The status history only grows: on PostgreSQL its append-only trigger is set aside for this one
rewrite, in the migration's transaction, which changes how a note is stored, not what it says.
"""

import re

from django.db import connection as default_connection
from django.db import migrations

# Each code's words, as English and the catalogues (ca, de, es, fr) spelled them when the
# notes were written; "%(steward)s" stands for the steward's name.
NOTES = {
    "admitted_by_assembly": [
        "Admitted by the Permanent Assembly.",
        "Admesa per l'Assemblea Permanent.",
        "Von der Ständigen Versammlung aufgenommen.",
        "Admisión adoptada por la Asamblea Permanente.",
        "Admission votée par l'Assemblée permanente.",
    ],
    "application_approved": [
        "Application approved by %(steward)s.",
        "Sol·licitud aprovada per %(steward)s.",
        "Antrag von %(steward)s genehmigt.",
        "Solicitud aprobada por %(steward)s.",
        "Candidature approuvée par %(steward)s.",
    ],
    "added_in_admin": [
        "Added by hand in the admin.",
        "Afegida a mà des de l'administració.",
        "Von Hand in der Verwaltung hinzugefügt.",
        "Alta manual desde la administración.",
        "Ajouté à la main dans l'administration.",
    ],
}

TRIGGER = "membership_statuschange_append_only_trigger"


def _patterns():
    patterns = []
    for code, texts in NOTES.items():
        for text in texts:
            parts = [re.escape(part) for part in text.split("%(steward)s")]
            patterns.append((code, re.compile("^" + "(?P<steward>.+)".join(parts) + "$")))
    return patterns


PATTERNS = _patterns()


def note_as_reason(note: str) -> dict | None:
    """The stored reason for a note the system wrote, in any shipped language; ``None`` for
    any other note (a person's words)."""
    for code, pattern in PATTERNS:
        match = pattern.match(note.strip())
        if match:
            return {"code": code, "ok": True, "at_risk": False, "params": match.groupdict()}
    return None


def notes_as_codes(apps, schema_editor):
    StatusChange = apps.get_model("membership", "StatusChange")
    connection = schema_editor.connection if schema_editor else default_connection
    postgresql = connection.vendor == "postgresql"
    rows = []
    for change in StatusChange.objects.exclude(note="").only("pk", "note", "reasons"):
        reason = note_as_reason(change.note)
        if reason is not None:
            rows.append((change.pk, [*(change.reasons or []), reason]))
    if not rows:
        return
    with connection.cursor() as cursor:
        if postgresql:
            # The deferred checks of rows written earlier in the transaction run now: a table
            # with checks still pending can't be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE membership_statuschange DISABLE TRIGGER {TRIGGER}")
        for pk, reasons in rows:
            StatusChange._base_manager.filter(pk=pk).update(note="", reasons=reasons)
        if postgresql:
            cursor.execute(f"ALTER TABLE membership_statuschange ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [("membership", "0022_relation_verbose_names")]

    operations = [migrations.RunPython(notes_as_codes, migrations.RunPython.noop)]
