"""Reading the register of members: every reading is audited, since the register holds
members' personal data."""

import datetime

from meetcoop.core.audit import audit_log

from ..selectors import RegisterRow, member_register

# How the register was read: on its page, as CSV or PDF (page or command).
REGISTER_FORMATS = ("page", "csv", "pdf")


def member_register_read(
    *, on: datetime.date, format: str, actor, via: str = "web"
) -> list[RegisterRow]:
    """The register as at ``on`` (``membership.selectors.member_register``), with an audit
    entry ``membership.register.read`` saying who read it (``actor``; None is the system, as
    from cron), as at which day, in which ``format``, ``via`` the web or the command, and
    how many rows it held. Refused with ``DomainError`` when no policy is in force on ``on``
    (nothing is then audited: nothing was read)."""
    if format not in REGISTER_FORMATS:
        raise ValueError(f"Unknown register format {format!r}")
    rows = member_register(on=on)
    audit_log(
        actor=actor,
        action="membership.register.read",
        data={"on": on.isoformat(), "format": format, "via": via, "rows": len(rows)},
    )
    return rows
