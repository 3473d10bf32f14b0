"""Writes of the contributions app. Each takes the acting user and writes an audit entry.

Domain errors are ``DomainError`` (shown as form errors); a missing right is
``PermissionDenied`` (403 in a view). One module per seam:

- ``ledger``: labour (one member or several at once), money and resources, deciding and
  reversing entries, and the input checks the other modules share;
- ``dues``: a user membership's first invoice, the next periods' invoices, dues payments;
- ``dues_refunds``: a dues payment refunded (whole or in part) or moved to another invoice;
- ``compensation``: what the co-op owes for hours, and its settlements;
- ``revenue``: a reseller's quarterly revenue report and payments of its share;
- ``statements``: bank statements imported, their lines matched and confirmed.
- ``invoices``: an admitted operational member's pledge invoice.
- ``online_payments``: a member's online payment of an invoice, and the provider's messages;
- ``revenue``: a reseller's quarterly revenue report and payments of its share.
"""

from .compensation import compensation_outstanding, compensation_settle
from .dues import (
    BILLED_STATUSES,
    dues_invoice_issue_first,
    dues_invoices_issue_next,
    dues_payment_record,
    period_end_for,
)
from .dues_refunds import (
    dues_payment_move,
    dues_payment_refund,
)
from .invoices import pledge_deadline, pledge_invoices_issue
from .ledger import (
    entry_approve,
    entry_reject,
    entry_reverse,
    labour_log,
    labour_log_many,
    money_record,
    resource_record,
)
from .online_payments import online_payment_event_record, online_payment_start
from .reminders import dues_reminders_send
from .revenue import revenue_report_submit, revenue_share_payment_record
from .statements import (
    ConfirmResult,
    bank_csv_mapping_save,
    statement_confirm,
    statement_import,
    statement_upload,
)

__all__ = [
    "compensation_outstanding",
    "compensation_settle",
    "BILLED_STATUSES",
    "dues_invoice_issue_first",
    "dues_invoices_issue_next",
    "dues_payment_move",
    "dues_payment_record",
    "dues_payment_refund",
    "dues_reminders_send",
    "entry_approve",
    "entry_reject",
    "entry_reverse",
    "labour_log",
    "labour_log_many",
    "money_record",
    "online_payment_event_record",
    "online_payment_start",
    "period_end_for",
    "pledge_deadline",
    "pledge_invoices_issue",
    "resource_record",
    "revenue_report_submit",
    "revenue_share_payment_record",
    "ConfirmResult",
    "bank_csv_mapping_save",
    "statement_confirm",
    "statement_import",
    "statement_upload",
]
