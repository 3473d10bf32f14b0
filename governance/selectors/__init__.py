"""Reads of the governance app, one module per seam:

- ``circles``: circles, their seats and who coordinates them;
- ``attendance``: meetings, who is expected and who may record attendance, and the attendance
  of All Hands Meetings as the status rule counts it;
- ``proposals``: who may draft, see and vote, a proposal's state, tally and outcome, and the
  lists each user sees;
- ``documents``: governance documents, their history, rendered text and diffs;
- ``roles``: waged roles, who manages them, the open ones, applications and holders;
- ``listing``: who may read a document, the membership page's document and the public list
  of members.
"""

from .attendance import (
    admitted_by,
    all_hands_days,
    attendance_window,
    attended_counts,
    attended_since,
    can_plan_meeting,
    can_record_attendance,
    circle_attendance_counts,
    circle_attendance_of,
    circle_meeting_soon,
    counted_and_upcoming_meetings,
    counted_meetings,
    counted_meetings_attended,
    expected_attendees,
    held_since,
    meetings_list,
    meetings_since,
    meetings_to_record,
)
from .circles import (
    can_manage_circle,
    circle_list,
    circle_seats,
    circles_coordinated_by,
    is_any_coordinator,
    is_coordinator_of,
    seats_on,
    seats_on_prefixed,
)
from .documents import (
    collapse_unchanged,
    document_history,
    document_list,
    markdown_text,
    pending_proposals_for_document,
    proposal_diff,
    render_markdown,
    rendered_diff,
    text_diff,
)
from .listing import (
    can_read_document,
    language_names,
    membership_page_document,
    public_listings,
)
from .proposals import (
    Tally,
    can_view_proposal,
    draft_proposals_for_user,
    due_proposals,
    has_voting_rights,
    open_proposals_for_user,
    outcome_for,
    past_proposals_for_user,
    proposal_is_due,
    proposal_is_outdated,
    proposal_stances,
    proposal_state,
    proposal_tally,
    proposals_for_user,
    voters_for,
)
from .roles import can_manage_role, open_roles, role_applications_of, roles_held_by

__all__ = [
    "can_manage_role",
    "open_roles",
    "role_applications_of",
    "roles_held_by",
    "Tally",
    "admitted_by",
    "all_hands_days",
    "attendance_window",
    "attended_counts",
    "attended_since",
    "can_manage_circle",
    "can_read_document",
    "can_plan_meeting",
    "can_record_attendance",
    "circle_attendance_counts",
    "circle_attendance_of",
    "circle_meeting_soon",
    "can_view_proposal",
    "circle_list",
    "circle_seats",
    "circles_coordinated_by",
    "collapse_unchanged",
    "counted_meetings",
    "counted_and_upcoming_meetings",
    "counted_meetings_attended",
    "document_history",
    "document_list",
    "draft_proposals_for_user",
    "due_proposals",
    "expected_attendees",
    "has_voting_rights",
    "held_since",
    "is_any_coordinator",
    "is_coordinator_of",
    "language_names",
    "markdown_text",
    "meetings_list",
    "meetings_since",
    "meetings_to_record",
    "membership_page_document",
    "open_proposals_for_user",
    "outcome_for",
    "past_proposals_for_user",
    "pending_proposals_for_document",
    "proposal_diff",
    "proposal_is_due",
    "proposal_is_outdated",
    "proposal_stances",
    "proposal_state",
    "proposal_tally",
    "proposals_for_user",
    "public_listings",
    "render_markdown",
    "rendered_diff",
    "seats_on",
    "seats_on_prefixed",
    "text_diff",
    "voters_for",
]
