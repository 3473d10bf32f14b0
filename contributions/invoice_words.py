"""The words of an invoice, shared by its page and its PDF, so both say the same."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from meetcoop.core.dates import date_medium
from meetcoop.core.money import format_money

from .selectors.invoices import OPEN, OVERDUE, PAID, InvoicePage


def invoice_title(page: InvoicePage) -> str:
    if page.kind == "pledge":
        return _("Pledge invoice")
    return _("Dues invoice")


def what_for(page: InvoicePage) -> str:
    if page.kind == "pledge":
        return _("Money pledged toward the commitment to the co-op")
    return _("Dues for the %(level)s service level") % {"level": page.service_level}


def status_word(page: InvoicePage) -> str:
    return {
        OPEN: pgettext("invoice not fully paid", "open"),
        PAID: _("paid"),
        OVERDUE: _("overdue"),
    }[page.status]


def status_sentence(page: InvoicePage) -> str:
    if page.status == PAID:
        return _("This invoice is paid. Thank you.")
    if page.status == OVERDUE:
        return _("This invoice is overdue: please pay the outstanding amount now.")
    return _("Please pay the outstanding amount by %(date)s.") % {
        "date": date_medium(page.last_day)
    }


def fact_rows(page: InvoicePage) -> list[tuple[str, str]]:
    """(label, value) of the invoice's facts, in the order the page shows them."""
    money = lambda amount: format_money(amount, page.currency)  # noqa: E731
    rows = [
        (_("Member"), str(page.member)),
        (_("Steward"), str(page.steward)),
        (_("What for"), what_for(page)),
    ]
    if page.period_start and page.period_end:
        rows.append(
            (
                _("Period"),
                f"{date_medium(page.period_start)} – {date_medium(page.period_end)}",
            )
        )
    rows += [
        (_("Amount"), money(page.amount)),
        (_("Paid so far"), money(page.paid)),
        (_("Outstanding"), money(page.outstanding)),
        (_("Due on"), date_medium(page.due_on)),
    ]
    if page.has_grace:
        rows.append((_("Last day of grace"), date_medium(page.last_day)))
    rows.append((_("Status"), status_word(page)))
    return rows


def bank_rows(page: InvoicePage) -> list[tuple[str, str]]:
    """(label, value) of the steward's bank details: holder, IBAN and BIC, or its other
    account details; empty when it gave none (``no_bank_details`` says whom to ask)."""
    steward = page.steward
    rows = []
    if steward.iban:
        if steward.account_holder:
            rows.append((_("Account holder"), steward.account_holder))
        rows.append((_("IBAN"), page.iban))
        if steward.bic:
            rows.append((_("BIC"), steward.bic))
    elif steward.other_account_details.strip():
        if steward.account_holder:
            rows.append((_("Account holder"), steward.account_holder))
        rows.append((_("How to pay"), steward.other_account_details.strip()))
    return rows


def no_bank_details(page: InvoicePage) -> str:
    steward = page.steward
    if steward.contact_email:
        return _(
            "%(steward)s has not entered its bank details here yet: write to %(email)s to ask "
            "how to pay."
        ) % {"steward": steward, "email": steward.contact_email}
    return _(
        "%(steward)s has not entered its bank details here yet: ask your steward how to pay."
    ) % {"steward": steward}


def reference_sentence() -> str:
    return _(
        "Quote this reference exactly, as the payment's reference or message: it is how your "
        "payment is matched to this invoice."
    )
