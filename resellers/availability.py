"""Why a steward takes no applications: the reason codes and their words.

The facts behind them (the manual switch, the operational membership, the revenue reports)
are gathered by ``standing.selectors.stewards.stewards_availability``, above every app that
holds one of them. The codes are stored nowhere but ``Steward.availability_notified``'s
emails; the words are made in the reader's language when someone reads them.

What the public reads is deliberately the same for a lapsed membership and an overdue report:
the public is told the steward is not taking new applications and when that is the steward's
own choice, never anything about its money (docs/decisions.md, "Who may resell").
"""

from django.utils.translation import gettext as _

CLOSED_BY_HAND = "closed_by_hand"
NO_OPERATIONAL_MEMBER = "no_operational_member"
MEMBERSHIP_NOT_ACTIVE = "membership_not_active"
REPORTS_OVERDUE = "reports_overdue"

REASONS = (CLOSED_BY_HAND, NO_OPERATIONAL_MEMBER, MEMBERSHIP_NOT_ACTIVE, REPORTS_OVERDUE)


def public_reason(code: str, *, steward_name: str) -> str:
    """The sentence the public application page shows for ``code``."""
    if code == CLOSED_BY_HAND:
        return _("%(steward)s has paused new applications for now.") % {"steward": steward_name}
    return _(
        "%(steward)s is not taking new applications until its membership of the co-op is in "
        "good standing again."
    ) % {"steward": steward_name}


def admin_reason(code: str, *, grace_days: int = 0) -> str:
    """The sentence the steward's own admins read (their email): the exact cause."""
    if code == CLOSED_BY_HAND:
        return _("Its applications are switched off in the admin (accepting applications).")
    if code == NO_OPERATIONAL_MEMBER:
        return _("It is linked to no member holding an operational membership.")
    if code == MEMBERSHIP_NOT_ACTIVE:
        return _("The operational membership of its member is not active.")
    return _(
        "A revenue report or the payment of its share has been overdue for more than %(days)s days."
    ) % {"days": grace_days}
