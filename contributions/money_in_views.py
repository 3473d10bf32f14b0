"""The treasurer's "Money in" page and its CSV export: thin, they check who may see which
stewards and call the selectors of ``contributions.selectors.money_in``."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.exports import csv_cell, csv_lines
from meetcoop.core.roles import is_treasurer

from .selectors.money_in import (
    money_in_by_steward,
    money_in_stewards,
    open_invoice_rows,
    open_invoices,
)
from .selectors.statements import unmatched_bank_lines


def _stewards_or_403(user):
    stewards = money_in_stewards(user)
    if not is_treasurer(user) and not stewards.exists():
        raise PermissionDenied(
            _("Only treasurers and the admins of a steward see money coming in.")
        )
    return stewards


def _page(request, stewards, today, *, status=200):
    """The page; with no policy in force (none set yet, or the first starts later), the
    policy's absence is said where the figures would be: grace periods come from it."""
    try:
        rows, policy_missing = money_in_by_steward(stewards, on=today), ""
    except DomainError as error:
        if error.code != "policy_missing":
            raise
        rows, policy_missing = [], error.text
    return render(
        request,
        "contributions/money_in.html",
        {
            "rows": rows,
            "policy_missing": policy_missing,
            "today": today,
            "month_start": today.replace(day=1),
            "may_record": is_treasurer(request.user),
            "unmatched": unmatched_bank_lines(request.user),
        },
        status=status,
    )


@login_required
def money_in(request):
    return _page(request, _stewards_or_403(request.user), timezone.localdate())


CSV_HEADER = [
    "steward",
    "member",
    "reference",
    "period_start",
    "period_end",
    "amount",
    "currency",
    "paid",
    "outstanding",
    "due_on",
    "grace_ends_on",
    "state",
]


@login_required
def money_in_csv(request):
    stewards = _stewards_or_403(request.user)
    today = timezone.localdate()
    try:
        lines = open_invoice_rows(stewards, on=today)
    except DomainError as error:
        if error.code != "policy_missing":
            raise
        return _page(request, stewards, today, status=409)  # says why there is no file
    # Members' debts leave the platform: who took them, and how many rows, is audited.
    audit_log(
        actor=request.user,
        action="contributions.money_in.exported",
        data={
            "on": today.isoformat(),
            "stewards": sorted(stewards.values_list("pk", flat=True)),
            "rows": open_invoices(stewards, on=today).count(),
        },
    )

    def rows():
        for row in lines:
            invoice = row.invoice
            yield [
                csv_cell(invoice.membership.steward.name),
                csv_cell(invoice.membership.member),
                invoice.reference,
                invoice.period_start.isoformat(),
                invoice.period_end.isoformat(),
                invoice.amount,
                invoice.currency,
                invoice.paid,
                row.outstanding,
                invoice.due_on.isoformat(),
                row.grace_ends_on.isoformat(),
                row.state,
            ]

    response = StreamingHttpResponse(
        csv_lines(CSV_HEADER, rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="money-in-{today.isoformat()}.csv"'
    response["Cache-Control"] = "no-store"  # members' debts: kept by no cache on the way
    return response
