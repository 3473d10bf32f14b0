"""A role application decided by a proposal kept the proposal's outcome as words in the
language the vote was closed in (``decision_note``); it is now read from the proposal's
outcome, stored as a code, in each reader's language (``RoleApplication.decision_words``).
This empties the note of those decided before, when it holds exactly the proposal's own
stored words and the proposal has the code to word it again; a note a person wrote stays."""

from django.db import migrations


def note_is_the_outcome(note: str, outcome_reason: str, outcome_code: str) -> bool:
    """Whether a decided role application's note is only its proposal's outcome, in words."""
    return bool(note) and bool(outcome_code) and note == outcome_reason.strip()[:300]


def notes_from_proposals(apps, schema_editor):
    RoleApplication = apps.get_model("governance", "RoleApplication")
    decided = RoleApplication.objects.exclude(decision_note="").filter(
        proposal__isnull=False
    ).values_list("pk", "decision_note", "proposal__outcome_reason", "proposal__outcome_code")
    pks = [
        pk
        for pk, note, reason, code in decided
        if note_is_the_outcome(note, reason, code)
    ]
    RoleApplication.objects.filter(pk__in=pks).update(decision_note="")


class Migration(migrations.Migration):
    dependencies = [("governance", "0014_relation_verbose_names")]

    operations = [migrations.RunPython(notes_from_proposals, migrations.RunPython.noop)]
