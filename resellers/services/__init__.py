"""Writes of the resellers app: applications, from submission to a decision, one module per seam:

- ``applications``: the submission, and the steward's admins' decisions (approve, reject,
  waitlist);
- ``admission``: the enrolment (member, login, membership), the hand-over of an operational
  application to the Permanent Assembly (and reopening it), and the assembly's outcome
  (``admission_decided``: admitted, or closed not admitted);
- ``emails``: the submission and decision notices, and the password-set link;
- ``ownership``: an email already in use: its owner confirms the application is theirs (the
  decision that waited goes on) or says it is not (closed);
- ``concerns``: Fair Use and service concerns, from raising to the outcome, and their
  emails;
- ``transitions``: the shared steps of every decision (lock, check, record, notify).

Every state change locks the application row, checks its status first (a decision already
taken is reported, never repeated), appends an :class:`ApplicationDecision`, writes an audit
entry, and sends its emails from a Celery task after the transaction commits.
"""

from .admission import (
    admission_decided,
    application_admission_reopen,
    application_admit,
    application_close_not_admitted,
)
from .applications import (
    DUPLICATE,
    Receipt,
    application_approve,
    application_receive,
    application_reject,
    application_submit,
    application_waitlist,
)
from .concerns import (
    concern_answer,
    concern_decide,
    concern_decided_notify,
    concern_opened_notify,
    concern_raise,
)
from .emails import (
    application_confirmation_send,
    application_decision_notify,
    application_duplicate_notify,
    application_submission_notify,
    password_set_url,
)
from .ownership import (
    LINK_EXPIRED,
    LINK_INVALID,
    application_by_token,
    application_confirmation_resend,
    application_owner_confirm,
    application_owner_disown,
    confirmation_url,
)
from .stewards import steward_availability_notify, steward_member_check, steward_member_set
from .transitions import ALREADY_DECIDED, OWNER_MUST_CONFIRM

__all__ = [
    "concern_answer",
    "concern_decide",
    "concern_decided_notify",
    "concern_opened_notify",
    "concern_raise",
    "ALREADY_DECIDED",
    "DUPLICATE",
    "LINK_EXPIRED",
    "LINK_INVALID",
    "OWNER_MUST_CONFIRM",
    "Receipt",
    "admission_decided",
    "application_admission_reopen",
    "application_admit",
    "application_approve",
    "application_by_token",
    "application_close_not_admitted",
    "application_confirmation_resend",
    "application_confirmation_send",
    "application_decision_notify",
    "application_duplicate_notify",
    "application_owner_confirm",
    "application_owner_disown",
    "application_receive",
    "application_reject",
    "application_submission_notify",
    "application_submit",
    "application_waitlist",
    "confirmation_url",
    "password_set_url",
    "steward_availability_notify",
    "steward_member_check",
    "steward_member_set",
]
