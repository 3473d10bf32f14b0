"""The words a member reads for each reason code, in their own language."""

import contextlib
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meetcoop.core.dates import date_medium
from meetcoop.core.money import format_money

from .models import TermsVersion

# Parameters stored as ISO dates (for machines) and worded in the reader's date format.
DATE_PARAMS = ("deadline", "due", "until", "since", "seated")
# Percentages stored as text ("33.33"), worded with the reader's decimal separator.
PERCENT_PARAMS = ("minimum", "percent")
# Parameters stored as plain amounts in ``currency`` and worded as the reader writes money.
MONEY_PARAMS = ("money", "amount")

TEXTS = {
    "commitment_met": _("Commitment fulfilled: %(percent)s %% of %(money)s or %(hours)s hours."),
    "commitment_due": _(
        "Commitment %(percent)s %% fulfilled; 100 %% of %(money)s (or %(hours)s "
        "hours) is due by %(deadline)s."
    ),
    "commitment_overdue": _(
        "Commitment %(percent)s %% fulfilled; 100 %% of %(money)s (or %(hours)s "
        "hours) was due by %(deadline)s."
    ),
    "circle_none": _("Not a member of any circle; operational members need at least one."),
    "attendance_ok": _(
        "Attended %(attended)s of %(held)s All Hands Meetings (%(percent)s %%), "
        "%(minimum)s %% needed."
    ),
    "attendance_low": _(
        "Attended %(attended)s of %(held)s All Hands Meetings (%(percent)s %%), "
        "%(minimum)s %% needed."
    ),
    "attendance_none_held": _("No All Hands Meeting was held in the last %(days)s days."),
    "attendance_covered": _(
        "Attended %(attended)s of %(held)s All Hands Meetings (%(percent)s %%), under the "
        "%(minimum)s %% minimum; that is enough because your circle meetings count instead."
    ),
    "circle_attendance_ok": _(
        "Attended %(attended)s of %(held)s meetings of your circles (%(percent)s %%), "
        "%(minimum)s %% needed."
    ),
    "circle_attendance_low": _(
        "Attended %(attended)s of %(held)s meetings of your circles (%(percent)s %%), "
        "%(minimum)s %% needed."
    ),
    "circle_attendance_none_held": _(
        "None of your circles held a meeting in the last %(days)s days."
    ),
    "circle_attendance_covered": _(
        "Attended %(attended)s of %(held)s meetings of your circles (%(percent)s %%), under "
        "the %(minimum)s %% minimum; that is enough because your All Hands attendance counts "
        "instead."
    ),
    "reseller_ok": _("Revenue reports and revenue-share payments are up to date."),
    "dues_ok": _("No dues are unpaid."),
    "dues_in_grace": _(
        "Dues of %(amount)s were due on %(due)s; pay them by %(deadline)s to stay active."
    ),
    "dues_overdue": _(
        "Dues of %(amount)s due on %(due)s are still unpaid after the %(grace)s-day grace period."
    ),
    "terms_ok": _("The current terms are accepted."),
    "note": "%(note)s",
    # What the system itself says of a change it made (see ``system_note``).
    "admitted_by_assembly": _("Admitted by the Permanent Assembly."),
    "application_approved": _("Application approved by %(steward)s."),
    "added_in_admin": _("Added by hand in the admin."),
    "terms_pending": _("Please accept %(document)s %(version)s by %(deadline)s."),
    "terms_missing": _(
        "%(document)s %(version)s is not accepted; it had to be accepted by %(deadline)s."
    ),
}

# The notes the system writes on a change it makes, stored as codes (with parameters, such as
# a steward's name) and worded in the reader's language; a note a person typed stays text.
SYSTEM_NOTES = ("admitted_by_assembly", "application_approved", "added_in_admin")


def system_note(code: str, **params) -> dict:
    """A stored reason saying why the system made a change (a ``StatusChange``): the code of
    one of ``SYSTEM_NOTES`` and its parameters, worded only when someone reads it."""
    return {"code": code, "ok": True, "at_risk": False, "params": params}


ADVICE = {
    "commitment_due": _("Log your hours or record a contribution to reach 100 %."),
    "commitment_overdue": _("Log your hours or record a contribution to reach 100 %."),
    "circle_none": _("Ask a circle's coordinator to add you to the circle."),
    "attendance_low": _("Come to the next All Hands Meeting."),
    # Shown only when at risk: missing the next meeting would take it under the minimum.
    "attendance_ok": _("Come to the next All Hands Meeting."),
    "attendance_none_held": _("Come to the next All Hands Meeting."),
    "circle_attendance_low": _(
        "Come to the next meetings of your circles, and ask their coordinators to record "
        "your attendance."
    ),
    "circle_attendance_ok": _(
        "Come to the next meetings of your circles, and ask their coordinators to record "
        "your attendance."
    ),
    "circle_attendance_none_held": _(
        "Come to the next meetings of your circles, and ask their coordinators to record "
        "your attendance."
    ),
    "reseller_overdue": _("Send the quarter's revenue report and pay the revenue share."),
    "dues_in_grace": _("Pay your dues to your steward."),
    "dues_overdue": _("Pay your dues to your steward."),
    "terms_pending": _("Read and accept the new version on your dashboard."),
    "terms_missing": _("Read and accept the new version on your dashboard."),
}
# Shown only when at risk: the seats end soon (the advice of having none), a quarter's report
# or share is due soon (the advice of an overdue one). The same sentences, translated once.
ADVICE["circle_member"] = ADVICE["circle_none"]
ADVICE["reseller_ok"] = ADVICE["reseller_overdue"]


def _reseller_overdue_text(params: dict) -> str:
    parts = []
    if params.get("reports"):
        parts.append(
            str(_("the revenue report for %(quarters)s is overdue"))
            % {"quarters": params["reports"]}
        )
    if params.get("payments"):
        parts.append(
            str(_("the revenue share for %(quarters)s is unpaid past its due date"))
            % {"quarters": params["payments"]}
        )
    return str(_("As a reseller: %(what)s.")) % {"what": "; ".join(parts)}


# Circle attendance reasons worded with the policy's minimum count, when it sets one.
COUNTED = ("circle_attendance_ok", "circle_attendance_low", "circle_attendance_covered")


def _circle_attendance_with_count(code: str, params: dict) -> str:
    needed = (
        ngettext(
            "Attended %(attended)s of %(held)s meetings of your circles (%(percent)s %%); "
            "%(minimum)s %% and at least %(count)s meeting are needed.",
            "Attended %(attended)s of %(held)s meetings of your circles (%(percent)s %%); "
            "%(minimum)s %% and at least %(count)s meetings are needed.",
            params["count"],
        )
        % params
    )
    if code == "circle_attendance_covered":
        return str(
            _("%(needed)s That is enough because your All Hands attendance counts instead.")
        ) % {"needed": needed}
    return needed


def _worded(params: dict) -> dict:
    """The stored parameters with their dates in the reader's medium format, their amounts
    as the reader's language writes money ("500,00 €"), and a terms document's code as the
    reader's language names it ("Nutzungsbedingungen")."""
    worded = {
        key: date_medium(value) if key in DATE_PARAMS and value else value
        for key, value in params.items()
    }
    for key in PERCENT_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and "." in value:
            # A share or minimum with decimals, in the reader's own way ("33,33").
            with contextlib.suppress(InvalidOperation, ValueError):
                worded[key] = number_format(
                    Decimal(value), decimal_pos=len(value.split(".")[1]), use_l10n=True
                )
    document = params.get("document")
    if document in TermsVersion.Document.values:
        # Stored as its code, worded as the reader's language names it. A reason stored
        # before holds the label itself, shown as it was stored.
        worded["document"] = TermsVersion.Document(document).label
    currency = params.get("currency")
    for key in MONEY_PARAMS:
        if currency and worded.get(key) not in (None, ""):
            # A stored value that is not a number is shown as it was stored.
            with contextlib.suppress(InvalidOperation, ValueError):
                worded[key] = format_money(Decimal(str(params[key])), currency)
    return worded


def reason_text(reason: dict) -> str:
    """The sentence for a stored reason (``{"code", "params", ...}``)."""
    params = _worded(reason.get("params", {}))
    if reason["code"] == "reseller_overdue":
        return _reseller_overdue_text(params)
    if reason["code"] == "circle_attendance_ok" and params.get("until") and reason.get("at_risk"):
        # At risk as the window moves on: a meeting of its circles it attended stops counting.
        base = (
            _circle_attendance_with_count(reason["code"], params)
            if params.get("count")
            else str(TEXTS["circle_attendance_ok"]) % params
        )
        until = str(
            _("A meeting of your circles that you attended counts only until %(until)s.")
        ) % {"until": params["until"]}
        return f"{base} {until}"
    if reason["code"] in COUNTED and params.get("count"):
        return _circle_attendance_with_count(reason["code"], params)
    if reason["code"] == "circle_member":
        count = params.get("count", 1)
        if params.get("until"):  # at risk: the seats end, and no other follows
            return ngettext(
                "Member of %(count)s circle until %(until)s; operational members need at least "
                "one.",
                "Member of %(count)s circles until %(until)s; operational members need at least "
                "one.",
                count,
            ) % {"count": count, "until": params["until"]}
        return ngettext("Member of %(count)s circle.", "Member of %(count)s circles.", count) % {
            "count": count
        }
    if reason["code"] == "circle_attendance_none_held" and params.get("seated"):
        # Seated inside the window: its circles' meetings count from the seat's first day.
        return (
            str(_("None of your circles held a meeting since you were seated on %(seated)s."))
            % params
        )
    if reason["code"] == "circle_attendance_none_held" and params.get("since"):
        # Admitted inside the window: its circles' meetings count from the admission day.
        return (
            str(_("None of your circles held a meeting since you were admitted on %(since)s."))
            % params
        )
    if reason["code"] == "attendance_none_held" and params.get("since"):
        # Admitted inside the window: it starts on the admission day for this member.
        return (
            str(_("No All Hands Meeting was held since you were admitted on %(since)s.")) % params
        )
    if reason["code"] == "attendance_ok" and params.get("until") and reason.get("at_risk"):
        # At risk as the window moves on: a meeting it attended stops counting.
        return (
            str(
                _(
                    "Attended %(attended)s of %(held)s All Hands Meetings (%(percent)s %%), "
                    "%(minimum)s %% needed; a meeting you attended counts only until %(until)s."
                )
            )
            % params
        )
    if reason["code"] == "reseller_ok" and params.get("quarters"):  # at risk: due soon
        return str(
            _(
                "As a reseller: the revenue report and the revenue share for %(quarters)s fall "
                "due soon."
            )
        ) % {"quarters": params["quarters"]}
    template = TEXTS.get(reason["code"])
    if template is None:
        return reason["code"]
    return str(template) % params


def reason_advice(reason: dict) -> str:
    advice = ADVICE.get(reason["code"])
    return str(advice) if advice else ""


def status_change_words(change) -> list[str]:
    """Why a status changed (a ``StatusChange``), in the reader's words: the rules that failed
    for a lapse, else the note of the person who made it, else the system's note of the
    decision that made it (an admission, an approval), else that every rule was met (a
    membership active again)."""
    failing = [r for r in change.reasons or [] if not r.get("ok", True)]
    if failing:
        return [reason_text(r) for r in failing]
    if change.note:
        return [change.note]
    notes = [reason_text(r) for r in change.reasons or [] if r.get("code") in SYSTEM_NOTES]
    if notes:
        return notes
    if change.reasons:
        return [str(_("Every rule was met."))]
    return []
