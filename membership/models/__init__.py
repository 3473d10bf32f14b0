"""The membership app's models, one module per seam:

- ``policy``: the dated policy and the service levels;
- ``rates``: the dated exchange rates;
- ``members``: members, their contact logins, and their memberships;
- ``terms``: terms versions and acceptances;
- ``status``: status changes, runs and notices;
- ``erasure``: a former member's request to be forgotten.
"""

from .erasure import ErasureRequest
from .members import Member, MemberContact, Membership
from .policy import ParticipationRule, Policy, ServiceLevel
from .rates import ExchangeRate
from .status import StatusChange, StatusNotice, StatusRecheck, StatusRun
from .terms import TermsAcceptance, TermsVersion

__all__ = [
    "ErasureRequest",
    "ExchangeRate",
    "Member",
    "MemberContact",
    "Membership",
    "ParticipationRule",
    "Policy",
    "ServiceLevel",
    "StatusChange",
    "StatusNotice",
    "StatusRecheck",
    "StatusRun",
    "TermsAcceptance",
    "TermsVersion",
]
