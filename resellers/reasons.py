"""What the system says of a decision on an application it made itself (a full level, an
email's owner asked or disowning it, the assembly's outcome), stored as a code with its
parameters and worded in the reader's language: the applicant's in an email, the admin's in
the admin. A reason a person typed (a steward admin's refusal) is stored, and shown, as typed.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TEXTS = {
    "level_full": _("The level is full; the application waits for a place."),
    "owner_asked": _(
        "This email already belongs to a login or a member: its owner is asked to "
        "confirm that the application is theirs."
    ),
    "owner_confirmed_level_full": _(
        "Confirmed by the email's owner, but the level filled meanwhile: the "
        "application waits for a place."
    ),
    "owner_disowned": _("The owner of this email says they did not send this application."),
    "admitted_already": _(
        "The Permanent Assembly adopted the admission, but this member already holds an "
        "operational membership: nothing new was made."
    ),
}
# The assembly did not adopt the admission; ``params``: the proposal's outcome (its
# ``outcome_code`` and ``outcome_params``), worded as governance words it.
NOT_ADOPTED = "not_adopted"
CODES = (*TEXTS, NOT_ADOPTED)


def decision_reason_words(code: str, params: dict | None, text: str = "") -> str:
    """A decision's reason in the active language: the words of its ``code``, else the
    ``text`` a person typed (or a reason stored as words before codes were)."""
    if code == NOT_ADOPTED:
        from governance.selectors.proposals import outcome_words

        params = params or {}
        why = outcome_words(params.get("outcome", ""), params.get("outcome_params", {}))
        return gettext("The Permanent Assembly did not adopt the admission: %(why)s.") % {
            "why": why
        }
    if code in TEXTS:
        return str(TEXTS[code])
    return text
