"""Reads of the standing app: the facts of every app brought together.

- ``status``: every membership's facts gathered set-based and the rules applied
  (``status_evaluate``), for the nightly job, ``/me/`` and a recompute on demand.
- ``dashboard``: what ``/me/`` shows.
- ``home``: each person's roles, and the work waiting for each (``/home/``, the header).
- ``data``: a member's own data, to download.
- ``report``: the co-op's status report.
"""

from .dashboard import dashboard_without_policy, member_dashboard
from .data import member_data
from .home import Roles, role_home, roles_of
from .report import (
    active_over_time,
    last_status_runs,
    status_counts_by_steward,
    status_counts_by_type,
    svg_line_chart,
)
from .status import status_evaluate, status_facts, status_facts_of_ids

__all__ = [
    "Roles",
    "active_over_time",
    "last_status_runs",
    "dashboard_without_policy",
    "member_dashboard",
    "member_data",
    "role_home",
    "roles_of",
    "status_counts_by_steward",
    "status_counts_by_type",
    "status_evaluate",
    "status_facts",
    "status_facts_of_ids",
    "svg_line_chart",
]
