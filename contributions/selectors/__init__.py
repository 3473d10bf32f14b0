"""Reads of the contributions app: ledger scopes, commitment progress, dues and revenue share.

The set-based selectors (``approved_totals_by_member``, ``unpaid_dues_for``,
``resellers_standing_for``, ``commitment_progress_for``) answer for many rows in a fixed
number of queries, so the nightly status job can call them for 100,000 memberships.
One module per seam:

- ``ledger``: seats, who may decide an entry, who sees which entries, the pending queues;
- ``progress``: approved totals and commitment progress;
- ``dues``: invoices with what has been paid, unpaid dues;
- ``revenue``: quarters and due dates, reports with what has been paid, the share owed,
  resellers' standing;
- ``compensation``: what the co-op owes members for hours;
- ``statements``: bank statements, their lines and the invoices they match;
- ``invoices``: who may see an invoice, a pledge invoice's payments, an invoice's page;
- ``online_payments``: whether an invoice may be paid online, and what became of it;
- ``_common``: the constants they share.
"""

from ._common import HUNDRED, MONEY_OUT, ZERO
from .compensation import Balance, compensation_balances, compensation_outstanding_total
from .dues import (
    dues_days_ahead,
    dues_payment_move_targets,
    dues_payment_refundable,
    dues_to_collect,
    invoices_by_payment,
    invoices_with_paid,
    unpaid_dues_among,
    unpaid_dues_for,
)
from .invoices import (
    InvoicePage,
    dues_invoice_for_page,
    dues_invoice_page,
    invoices_visible_to,
    payment_status,
    pledge_invoice_for_page,
    pledge_invoice_page,
    pledge_invoices_visible_to,
    pledge_invoices_with_paid,
)
from .ledger import (
    circles_of_members,
    circles_sat_in,
    coordinates,
    decidable_ids,
    entries_visible_to,
    is_seated_in,
    labour_to_decide_by_circle,
    may_decide,
    members_seated_during,
    members_seated_in,
    pending_labour_queue,
    pending_money_queue,
)
from .online_payments import (
    OnlinePaymentOffer,
    invoice_outstanding,
    online_payment_offer,
    online_payment_status,
    own_invoice_payable_online,
)
from .progress import (
    HOURS_STEP,
    Progress,
    approved_totals_by_member,
    commitment_progress,
    commitment_progress_for,
    progress_of,
    with_commitment_totals,
)
from .revenue import (
    ResellerStanding,
    next_quarter,
    quarter_end,
    quarter_label,
    quarter_start,
    reports_by_share,
    reports_due_for,
    reports_with_paid,
    resellers_standing_for,
    revenue_due_date,
    share_owed,
    shares_to_collect,
)
from .statements import (
    UnmatchedLines,
    money_stewards_visible_to,
    statement_matches,
    statements_visible_to,
    unmatched_bank_lines,
)

__all__ = [
    "InvoicePage",
    "dues_invoice_for_page",
    "dues_invoice_page",
    "invoices_visible_to",
    "payment_status",
    "pledge_invoice_for_page",
    "pledge_invoice_page",
    "pledge_invoices_visible_to",
    "pledge_invoices_with_paid",
    "Balance",
    "compensation_balances",
    "compensation_outstanding_total",
    "HOURS_STEP",
    "HUNDRED",
    "MONEY_OUT",
    "ZERO",
    "Progress",
    "ResellerStanding",
    "approved_totals_by_member",
    "circles_of_members",
    "circles_sat_in",
    "commitment_progress",
    "commitment_progress_for",
    "coordinates",
    "decidable_ids",
    "dues_to_collect",
    "entries_visible_to",
    "invoices_by_payment",
    "invoices_with_paid",
    "is_seated_in",
    "labour_to_decide_by_circle",
    "may_decide",
    "members_seated_during",
    "members_seated_in",
    "next_quarter",
    "pending_labour_queue",
    "pending_money_queue",
    "progress_of",
    "quarter_end",
    "quarter_label",
    "quarter_start",
    "reports_by_share",
    "reports_due_for",
    "reports_with_paid",
    "resellers_standing_for",
    "revenue_due_date",
    "share_owed",
    "unpaid_dues_among",
    "shares_to_collect",
    "unpaid_dues_for",
    "dues_days_ahead",
    "dues_payment_move_targets",
    "dues_payment_refundable",
    "with_commitment_totals",
    "UnmatchedLines",
    "money_stewards_visible_to",
    "statement_matches",
    "statements_visible_to",
    "unmatched_bank_lines",
    "OnlinePaymentOffer",
    "invoice_outstanding",
    "online_payment_offer",
    "online_payment_status",
    "own_invoice_payable_online",
]
