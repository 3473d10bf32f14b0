"""Writes of the governance app. Each takes the acting user (None for the system), runs in a
transaction with the changed row locked, writes an audit entry and sends mail after commit.
One module per seam:

- ``circles``: circles and their seats;
- ``meetings``: meetings and their attendance;
- ``proposals``: drafting (and changing or deleting a draft in the admin), opening, stances,
  closing (due ones too), the closing reminders, re-proposing, and the hash of what is voted
  on;
- ``documents``: governance documents, their settings (public, membership page, responsible
  circle, who decides a change) and adopting a proposal's text as a version;
- ``listing``: an operational member's consent to the public list of members;
- ``roles``: waged roles, applications for them (decided directly or by a proposal) and
  their holders;
- ``admission``: the admission proposal for an operational applicant.
"""

from .admission import ADMISSION_VOTING_DAYS_DEFAULT, admission_proposal_open
from .circles import circle_create, circle_seat_add, circle_seat_end, seats_end_for_departed
from .documents import (
    SETTINGS_FIELDS as DOCUMENT_SETTINGS,
)
from .documents import (
    document_create,
    document_electorate,
    document_settings_set,
    sha256,
)
from .listing import listing_set
from .meetings import attendance_record, meeting_create
from .proposals import (
    DRAFT_FIELDS as PROPOSAL_DRAFT_FIELDS,
)
from .proposals import (
    close_due_proposals,
    closing_reminders_send,
    proposal_close,
    proposal_close_if_due,
    proposal_content_sha256,
    proposal_create,
    proposal_draft_delete,
    proposal_draft_update,
    proposal_open,
    proposal_repropose,
    stance_cast,
)
from .roles import (
    ROLE_ELECTORATES,
    role_application_decide,
    role_application_propose,
    role_apply,
    role_holding_end,
    role_publish,
)

__all__ = [
    "ROLE_ELECTORATES",
    "role_application_decide",
    "role_application_propose",
    "role_apply",
    "role_holding_end",
    "role_publish",
    "DOCUMENT_SETTINGS",
    "PROPOSAL_DRAFT_FIELDS",
    "ADMISSION_VOTING_DAYS_DEFAULT",
    "admission_proposal_open",
    "attendance_record",
    "circle_create",
    "circle_seat_add",
    "circle_seat_end",
    "seats_end_for_departed",
    "close_due_proposals",
    "closing_reminders_send",
    "document_create",
    "document_electorate",
    "document_settings_set",
    "listing_set",
    "meeting_create",
    "proposal_close",
    "proposal_close_if_due",
    "proposal_content_sha256",
    "proposal_create",
    "proposal_draft_delete",
    "proposal_draft_update",
    "proposal_open",
    "proposal_repropose",
    "sha256",
    "stance_cast",
]
