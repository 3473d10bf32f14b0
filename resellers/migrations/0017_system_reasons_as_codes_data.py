"""The reasons the system gave for a decision on an application (a full level, an email's
owner asked or disowning it, the assembly's outcome) were stored as words in the language
active at the time; they are now stored as a code (``resellers.reasons``) worded in the
reader's language. This turns the reasons stored before into those codes, from their words in
English and in every shipped catalogue, on the decisions and on the applications. A reason a
steward admin typed is left as it is.

The decisions only grow: on PostgreSQL their append-only trigger is set aside for this one
rewrite, in the migration's transaction, which changes how a reason is stored, not what it
says.
"""

import re

from django.db import connection as default_connection
from django.db import migrations

NBSP = "\u00a0"  # French puts one before a colon or a semicolon

# Each code's words, as English and the catalogues (ca, de, es, fr) spelled them.
REASONS = {
    "level_full": [
        "The level is full; the application waits for a place.",
        "El nivell està ple; la sol·licitud espera que quedi lliure una plaça.",
        "Der Tarif ist ausgebucht; der Antrag wartet auf einen freien Platz.",
        "El nivel está completo; la solicitud espera una plaza libre.",
        f"Le niveau est complet{NBSP}; la candidature attend une place.",
    ],
    "owner_asked": [
        "This email already belongs to a login or a member: its owner is asked to confirm that "
        "the application is theirs.",
        "Aquesta adreça electrònica ja pertany a un compte o a una persona sòcia: es demana a "
        "la persona titular que confirmi que la sol·licitud és seva.",
        "Diese E-Mail-Adresse gehört bereits zu einem Zugang oder einem Mitglied: Die Person, "
        "der sie gehört, wird gebeten zu bestätigen, dass der Antrag von ihr stammt.",
        "Este correo ya pertenece a una cuenta o a una persona socia: se pide a su titular que "
        "confirme que la solicitud es suya.",
        f"Cette adresse e-mail appartient déjà à un compte ou à un membre{NBSP}: la personne "
        "titulaire est invitée à confirmer que la candidature est la sienne.",
    ],
    "owner_confirmed_level_full": [
        "Confirmed by the email's owner, but the level filled meanwhile: the application waits "
        "for a place.",
        "La persona titular de l'adreça ho ha confirmat, però mentrestant el nivell s'ha "
        "omplert: la sol·licitud espera que quedi lliure una plaça.",
        "Von der Person, der die Adresse gehört, bestätigt, aber der Tarif ist inzwischen "
        "ausgebucht: Der Antrag wartet auf einen freien Platz.",
        "Confirmada por la persona titular del correo, pero mientras tanto el nivel se ha "
        "llenado: la solicitud espera una plaza libre.",
        "Confirmée par la personne titulaire de l'adresse, mais le niveau s'est rempli "
        f"entre-temps{NBSP}: la candidature attend une place.",
    ],
    "owner_disowned": [
        "The owner of this email says they did not send this application.",
        "La persona titular d'aquesta adreça diu que no va enviar aquesta sol·licitud.",
        "Die Person, der diese E-Mail-Adresse gehört, sagt, dass sie diesen Antrag nicht "
        "gesendet hat.",
        "La persona titular de este correo dice que no envió esta solicitud.",
        "La personne titulaire de cette adresse indique ne pas avoir envoyé cette candidature.",
    ],
    "admitted_already": [
        "The Permanent Assembly adopted the admission, but this member already holds an "
        "operational membership: nothing new was made.",
        "L'Assemblea Permanent ha adoptat l'admissió, però aquesta persona sòcia ja té una "
        "adhesió operativa: no s'ha creat res de nou.",
        "Die Ständige Versammlung hat die Aufnahme angenommen, aber dieses Mitglied hat bereits "
        "eine operative Mitgliedschaft: Es wurde nichts Neues angelegt.",
        "La Asamblea Permanente adoptó la admisión, pero este miembro ya tiene una membresía "
        "operativa: no se ha creado nada nuevo.",
        "L'Assemblée permanente a adopté l'admission, mais ce membre a déjà une adhésion "
        "opérationnelle : rien de nouveau n'a été créé.",
    ],
}
# The assembly did not adopt the admission: "%(why)s" is the proposal's outcome, whose code
# and numbers the proposal keeps.
NOT_ADOPTED = [
    "The Permanent Assembly did not adopt the admission: %(why)s.",
    "L'Assemblea Permanent no ha adoptat l'admissió: %(why)s.",
    "Die Ständige Versammlung hat die Aufnahme nicht beschlossen: %(why)s.",
    "La Asamblea Permanente no ha adoptado la admisión: %(why)s.",
    f"L'Assemblée permanente n'a pas adopté l'admission{NBSP}: %(why)s.",
]
NOT_ADOPTED_PATTERNS = [
    re.compile("^" + "(?P<why>.+)".join(re.escape(p) for p in text.split("%(why)s")) + "$")
    for text in NOT_ADOPTED
]
CODES = {text: code for code, texts in REASONS.items() for text in texts}

TRIGGER = "resellers_applicationdecision_append_only_trigger"


def reason_as_code(reason: str, outcome: tuple[str, dict] | None = None):
    """(code, params) for a reason the system wrote, in any shipped language, or ``None`` for
    any other (a person's words). ``outcome``: the code and parameters of the proposal that
    did not admit the application, when there is one."""
    reason = reason.strip()
    if reason in CODES:
        return CODES[reason], {}
    if outcome is not None and outcome[0]:
        for pattern in NOT_ADOPTED_PATTERNS:
            if pattern.match(reason):
                return "not_adopted", {"outcome": outcome[0], "outcome_params": outcome[1]}
    return None


def reasons_as_codes(apps, schema_editor):
    Application = apps.get_model("resellers", "Application")
    ApplicationDecision = apps.get_model("resellers", "ApplicationDecision")
    Proposal = apps.get_model("governance", "Proposal")
    outcomes = {
        p["admission_application_id"]: (p["outcome_code"], p["outcome_params"])
        for p in Proposal.objects.filter(
            admission_application_id__isnull=False, outcome="rejected"
        ).values("admission_application_id", "outcome_code", "outcome_params")
    }
    for app in Application._base_manager.exclude(decision_reason="").only(
        "pk", "decision_reason"
    ):
        coded = reason_as_code(app.decision_reason, outcomes.get(app.pk))
        if coded is not None:
            Application._base_manager.filter(pk=app.pk).update(
                decision_reason="", decision_reason_code=coded[0], decision_reason_params=coded[1]
            )
    rows = []
    for decision in ApplicationDecision._base_manager.exclude(reason="").only(
        "pk", "reason", "application_id"
    ):
        coded = reason_as_code(decision.reason, outcomes.get(decision.application_id))
        if coded is not None:
            rows.append((decision.pk, coded))
    if not rows:
        return
    connection = schema_editor.connection if schema_editor else default_connection
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # The deferred checks of rows written earlier in the transaction run now: a table
            # with checks still pending can't be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE resellers_applicationdecision DISABLE TRIGGER {TRIGGER}")
        for pk, (code, params) in rows:
            ApplicationDecision._base_manager.filter(pk=pk).update(
                reason="", reason_code=code, reason_params=params
            )
        if postgresql:
            cursor.execute(f"ALTER TABLE resellers_applicationdecision ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("resellers", "0016_system_reasons_as_codes"),
        ("governance", "0011_proposal_outcome_code"),
    ]

    operations = [migrations.RunPython(reasons_as_codes, migrations.RunPython.noop)]
