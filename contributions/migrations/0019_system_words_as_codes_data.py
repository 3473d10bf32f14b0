"""What the system wrote into the ledger and the refunds (the description of a reversal, the
reason of a refund made through the online payment provider, the description of a money entry
recorded without one) was stored as words in the language active at the time; it is now
stored as a code (``contributions.reasons``) worded in the reader's language. This turns the
words stored before into those codes, from English and every shipped catalogue. What a person
typed is left as it is.

The ledger and the refunds only grow: on PostgreSQL their triggers are set aside for this one
rewrite, in the migration's transaction, which changes how the words are stored, not what they
say.
"""

import re

from django.db import connection as default_connection
from django.db import migrations

# Each code's words, as English and the catalogues (ca, de, es, fr) spelled them; "%(id)s"
# stands for the number of the entry reversed.
REVERSAL = [
    "Reversal of entry #%(id)s",
    "Anul·lació de l'anotació núm. %(id)s",
    "Storno von Eintrag #%(id)s",
    "Anulación de la anotación n.º %(id)s",
    "Contre-passation de l'écriture nº %(id)s",
]
REVERSAL_PATTERNS = [
    re.compile("^" + r"(?P<id>\d+)".join(re.escape(p) for p in text.split("%(id)s")) + "$")
    for text in REVERSAL
]
REFUNDED_ONLINE = {
    "Refunded through the online payment provider.",
    "Reemborsat a través del proveïdor de pagaments en línia.",
    "Über den Online-Zahlungsdienst erstattet.",
    "Reembolsado a través del proveedor de pagos en línea.",
    "Remboursé par le prestataire de paiement en ligne.",
}

# The description of a money entry recorded without one.
MONEY = {"Money", "Diners", "Geld", "Dinero", "Argent"}

LEDGER_TRIGGER = "contributions_ledgerentry_decided_guard_trigger"
REFUND_TRIGGER = "contributions_duesrefund_append_only_trigger"


def reversal_as_code(description: str, reverses_id: int):
    """The parameters of a reversal's description the system wrote, in any shipped language,
    or ``None`` for other words."""
    for pattern in REVERSAL_PATTERNS:
        match = pattern.match(description.strip())
        if match and int(match["id"]) == reverses_id:
            return {"id": reverses_id}
    return None


def words_as_codes(apps, schema_editor):
    LedgerEntry = apps.get_model("contributions", "LedgerEntry")
    DuesRefund = apps.get_model("contributions", "DuesRefund")
    entries = []
    for entry in LedgerEntry._base_manager.filter(reverses__isnull=False).only(
        "pk", "description", "reason", "reverses_id"
    ):
        change = {}
        params = reversal_as_code(entry.description, entry.reverses_id)
        if params is not None:
            change.update(description="", description_code="reversal", description_params=params)
        if entry.reason.strip() in REFUNDED_ONLINE:
            change.update(reason="", reason_code="refunded_online")
        if change:
            entries.append((entry.pk, change))
    for pk in LedgerEntry._base_manager.filter(kind="money", description__in=MONEY).values_list(
        "pk", flat=True
    ):
        entries.append((pk, {"description": "", "description_code": "money"}))
    refunds = list(
        DuesRefund._base_manager.filter(reason__in=REFUNDED_ONLINE).values_list("pk", flat=True)
    )
    if not entries and not refunds:
        return
    connection = schema_editor.connection if schema_editor else default_connection
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # The deferred checks of rows written earlier in the transaction run now: a table
            # with checks still pending can't be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE contributions_ledgerentry DISABLE TRIGGER {LEDGER_TRIGGER}")
            cursor.execute(f"ALTER TABLE contributions_duesrefund DISABLE TRIGGER {REFUND_TRIGGER}")
        for pk, change in entries:
            LedgerEntry._base_manager.filter(pk=pk).update(**change)
        if refunds:
            DuesRefund._base_manager.filter(pk__in=refunds).update(
                reason="", reason_code="refunded_online"
            )
        if postgresql:
            cursor.execute(f"ALTER TABLE contributions_duesrefund ENABLE TRIGGER {REFUND_TRIGGER}")
            cursor.execute(f"ALTER TABLE contributions_ledgerentry ENABLE TRIGGER {LEDGER_TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [("contributions", "0018_system_words_as_codes")]

    operations = [migrations.RunPython(words_as_codes, migrations.RunPython.noop)]
