"""At-risk notices about a terms version pending acceptance used to name the document by its
label in the language of the run that warned ("terms:Terms of Use:2.0"); the status job now
names it by its code ("terms:terms_of_use:2.0"). Without this, every member warned before the
change would be warned once more by the next run, for the same version."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

# The documents and their labels, as the models name them (the words are translated below
# in every shipped language, as the runs before this migration wrote them).
DOCUMENTS = {"terms_of_use": "Terms of Use", "fair_use": "Fair Use Agreement"}


def _labels():
    labels = {}
    for code, english in DOCUMENTS.items():
        labels[english] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                labels[translation.gettext(english)] = code
    return labels


def causes_as_codes(apps, schema_editor):
    """One UPDATE per label, set-based. A notice whose coded cause already exists for the
    same membership (warned in two languages, or once more since) is left as it is."""
    from django.db.models import Exists, OuterRef, Value
    from django.db.models.functions import Concat, Substr

    StatusNotice = apps.get_model("membership", "StatusNotice")
    for label, code in _labels().items():
        prefix, coded = f"terms:{label}:", f"terms:{code}:"
        new_cause = Concat(Value(coded), Substr("cause", len(prefix) + 1))
        taken = StatusNotice.objects.filter(
            membership_id=OuterRef("membership_id"),
            kind=OuterRef("kind"),
            cause=Concat(Value(coded), Substr(OuterRef("cause"), len(prefix) + 1)),
        )
        StatusNotice.objects.filter(cause__startswith=prefix).exclude(Exists(taken)).update(
            cause=new_cause
        )


class Migration(migrations.Migration):
    dependencies = [("membership", "0019_nightly_marks")]

    operations = [migrations.RunPython(causes_as_codes, migrations.RunPython.noop)]
