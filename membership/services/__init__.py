"""Writes of the membership app, one module per seam:

- ``policy``: the dated policies;
- ``rates``: the dated exchange rates;
- ``members``: members, their logins and memberships (sends ``membership_created``);
- ``terms``: terms versions and acceptances;
- ``status``: the status writer (a run's changes, a person's change, an admission);
- ``notices``: the status emails;
- ``register``: reading the register of members (audited);
- ``facts``: the marks the nightly job reads to evaluate only what changed.

Each service takes the acting user, checks the state first, refuses with ``DomainError``,
writes in one transaction and leaves an audit entry.
"""

from .erasure import erasure_request, may_request_erasure, refuse_unless_ended
from .facts import (
    everyone_recheck,
    facts_changed,
    facts_changed_later,
    facts_changed_together,
)
from .members import (
    contact_login_ensure,
    member_email_lock,
    member_get_or_create,
    membership_add,
    membership_create,
    person_language_set,
)
from .notices import status_notices_send
from .policy import policy_create, policy_delete, policy_update
from .rates import exchange_rate_record
from .register import member_register_read
from .status import (
    STATUS_LOCK,
    enqueue_notice_sending,
    membership_admit,
    membership_status_set,
    next_checks_write,
    reasons_text,
    status_changes_write,
    status_decisions,
)
from .terms import (
    terms_accept,
    terms_acceptances_record,
    terms_version_adopted,
    terms_version_create,
    terms_version_delete,
    terms_version_update,
)

__all__ = [
    "everyone_recheck",
    "facts_changed",
    "facts_changed_later",
    "facts_changed_together",
    "erasure_request",
    "may_request_erasure",
    "refuse_unless_ended",
    "exchange_rate_record",
    "STATUS_LOCK",
    "contact_login_ensure",
    "enqueue_notice_sending",
    "member_email_lock",
    "member_get_or_create",
    "member_register_read",
    "membership_add",
    "membership_admit",
    "membership_create",
    "person_language_set",
    "membership_status_set",
    "next_checks_write",
    "policy_create",
    "policy_delete",
    "policy_update",
    "status_changes_write",
    "status_decisions",
    "reasons_text",
    "status_notices_send",
    "terms_accept",
    "terms_acceptances_record",
    "terms_version_adopted",
    "terms_version_create",
    "terms_version_delete",
    "terms_version_update",
]
