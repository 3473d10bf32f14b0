"""What the system itself writes into the ledger and the refunds (the description of a
reversal, the reason of a refund made through the payment provider), stored as a code with
its parameters and worded in the reader's language: the member's on their pages and data
download, the admin's in the admin and the CSV export. What a person typed (a treasurer's
reason, a member's description) is stored, and shown, as typed.
"""

from django.utils.translation import gettext_lazy as _

TEXTS = {
    # The description of a money entry recorded without one.
    "money": _("Money"),
    # The description of a reversal; ``id``: the entry it reverses.
    "reversal": _("Reversal of entry #%(id)s"),
    # The reason of a reversal or a refund the payment provider reported.
    "refunded_online": _("Refunded through the online payment provider."),
}


def system_words(code: str, params: dict | None, text: str = "") -> str:
    """The words of a stored ``code`` in the active language, else the ``text`` a person
    typed (or words stored before codes were)."""
    if code in TEXTS:
        return str(TEXTS[code]) % (params or {})
    return text
