"""Pages of the governance app. Each view checks who may see or do it, then calls one service.
One module per seam:

- ``circles``: circles and their seats;
- ``meetings``: meetings and their attendance sheets;
- ``proposals``: the lists, drafting, a proposal's page, voting, opening and re-proposing;
- ``documents``: governance documents and their versions;
- ``roles``: waged roles, applying for them and deciding;
- ``public``: the membership page, the public list of members and a member's choice to be on
  it.
"""

from .circles import circle_detail, circle_list, circle_seat_add, circle_seat_end
from .documents import document_detail, document_list, document_version
from .meetings import meeting_attendance, meeting_create, meeting_list
from .proposals import (
    proposal_create,
    proposal_detail,
    proposal_list,
    proposal_open,
    proposal_repropose,
    proposal_vote,
)
from .public import listing_edit, members_list, membership_page
from .roles import role_decide, role_detail, role_holding_end, role_list, role_propose

__all__ = [
    "role_decide",
    "role_propose",
    "role_detail",
    "role_holding_end",
    "role_list",
    "circle_detail",
    "circle_list",
    "circle_seat_add",
    "circle_seat_end",
    "document_detail",
    "document_list",
    "document_version",
    "meeting_attendance",
    "meeting_create",
    "meeting_list",
    "listing_edit",
    "members_list",
    "membership_page",
    "proposal_create",
    "proposal_detail",
    "proposal_list",
    "proposal_open",
    "proposal_repropose",
    "proposal_vote",
]
