"""The membership app's admin, one module per seam (importing them registers the admins):

- ``policy``: the dated policy, service levels, terms versions and acceptances;
- ``members``: members and their memberships, with suspend, end and reinstate;
- ``rates``: the dated exchange rates, added and never changed;
- ``status``: status runs, changes and notices, read-only.
"""

from . import members, policy, rates, status
from .members import MemberAdmin, MembershipAdmin

__all__ = ["MemberAdmin", "MembershipAdmin", "members", "policy", "rates", "status"]
