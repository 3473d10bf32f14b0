"""The active-status rules of DOMAIN.md, as pure functions over facts already gathered.

They take numbers, never querysets, so the same code serves the nightly job over the whole
co-op, the dashboard of one member and an on-demand recompute. Each rule returns a ``Reason``:
a code, whether it passes, whether it is at risk within ``AT_RISK_DAYS``, and the numbers the
member is shown (see ``membership.reasons``). The numbers are formatted only when read: the
nightly job evaluates every membership but words only the ones that change or are at risk.
"""

import datetime
import functools
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

AT_RISK_DAYS = 30
# The "next check" of a membership that only a new fact can change (no deadline ahead).
NEVER = datetime.date.max
HUNDRED = Decimal("100")
ONE = Decimal("1")
PERCENT = Decimal("0.01")


class Reason:
    __slots__ = ("code", "ok", "at_risk", "cause", "_params")

    def __init__(self, code: str, ok: bool, params=None, *, at_risk=False, cause=""):
        self.code = code
        self.ok = ok
        self.at_risk = at_risk
        self.cause = cause  # what an at-risk notice is about; one notice per cause
        self._params = params if params is not None else {}

    @property
    def params(self) -> dict:
        """The numbers shown to the member (built on first read when given as a function)."""
        if callable(self._params):
            self._params = self._params()
        return self._params

    def as_json(self) -> dict:
        return {"code": self.code, "ok": self.ok, "at_risk": self.at_risk, "params": self.params}

    def __repr__(self):
        return f"Reason({self.code!r}, ok={self.ok}, at_risk={self.at_risk})"


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` as a percentage, exact (rounding is for display only)."""
    if not whole:
        return Decimal("0")
    return Decimal(part) * HUNDRED / Decimal(whole)


def shown_percent(value: Decimal, rounding=ROUND_HALF_UP, places: int = 0) -> str:
    return str(Decimal(value).quantize(ONE.scaleb(-places), rounding=rounding))


@functools.lru_cache(maxsize=64)
def percent_places(minimum_percent: Decimal) -> int:
    """How many decimals a minimum needs to be shown as it was set (50.00: 0; 33.33: 2;
    62.5: 1); an attendance share is shown with as many, so that it compares with it."""
    exponent = Decimal(minimum_percent).normalize().as_tuple().exponent
    return min(2, max(0, -exponent)) if isinstance(exponent, int) else 0


def shown_minimum(minimum_percent: Decimal) -> str:
    """A minimum as it was set: "50", "33.33", never rounded to a number it is not."""
    return shown_percent(minimum_percent, places=percent_places(minimum_percent))


def commitment_rule(
    *, on: datetime.date, progress: Decimal, deadline: datetime.date | None, policy
) -> Reason:
    """Fulfilled (100 % or more), or ``on`` is still on or before the deadline."""

    def params():
        return {
            # Rounded down: 99.99 % must never read as "100 % fulfilled".
            "percent": shown_percent(min(progress, Decimal("999")), rounding=ROUND_DOWN),
            "money": str(policy.commitment_money),
            "currency": policy.currency,
            "hours": format(policy.commitment_hours.normalize(), "f"),
            "deadline": deadline.isoformat() if deadline else "",
        }

    if progress >= HUNDRED:
        return Reason("commitment_met", True, params)
    if deadline is None or on <= deadline:
        at_risk = deadline is not None and (deadline - on).days <= AT_RISK_DAYS
        return Reason(
            "commitment_due",
            True,
            params,
            at_risk=at_risk,
            cause=f"commitment:{deadline.isoformat()}" if at_risk else "",
        )
    return Reason("commitment_overdue", False, params)


def circle_rule(
    *,
    circle_count: int,
    on: datetime.date | None = None,
    seated_until: datetime.date | None = None,
) -> Reason:
    """Seated in at least one circle on ``on``. ``seated_until``: the last day of its unbroken
    seating from ``on``, when its seats end (None: a seat with no end, or ending later than
    the warning reads); at risk when that day is at most ``AT_RISK_DAYS`` after ``on``, since
    the next day it would hold no seat."""
    if circle_count >= 1:
        at_risk = (
            on is not None and seated_until is not None and (seated_until - on).days <= AT_RISK_DAYS
        )
        if at_risk:
            return Reason(
                "circle_member",
                True,
                {"count": circle_count, "until": seated_until.isoformat()},
                at_risk=True,
                cause=f"circle:{seated_until.isoformat()}",
            )
        return Reason("circle_member", True, {"count": circle_count})
    return Reason("circle_none", False, {"count": 0})


def meeting_cause(
    kind: str, attended: int, held: int | None, day: datetime.date | None, at_risk: bool
) -> str:
    """The cause of an at-risk notice for missing the next meeting: the numbers it would
    leave and the day of that meeting ("attendance:4/9:2026-12-10"). The day keeps one
    meeting's warning apart from another's: the same numbers come back a year later, for
    another meeting, and the member is warned again. "" when not at risk."""
    if not at_risk:
        return ""
    cause = f"{kind}:{attended}/{held}"
    return f"{cause}:{day.isoformat()}" if day is not None else cause


def attendance_falls_under(
    *, attended: int, held: int, minimum_percent: Decimal, leaving, missed: int = 0
) -> tuple[datetime.date, int, int] | None:
    """Whether the meetings ``leaving`` the window take the share under the minimum, the
    member attending nothing more (and missing ``missed`` meetings to come): the first
    (last day the leaving meetings count, attended, held) after which it would, else None.
    ``leaving``: (last day counted, meetings held that day, of them attended) of the
    meetings that count today and stop counting within ``AT_RISK_DAYS``. None held passes."""
    held += missed
    for last_day, left_held, left_attended in sorted(leaving):
        held -= left_held
        attended -= left_attended
        if held and attended * HUNDRED < minimum_percent * held:
            return last_day, attended, held
    return None


def attendance_rule(
    *,
    attended: int,
    held: int,
    minimum_percent: Decimal,
    window_days: int,
    next_meeting_held: int | None = None,
    next_meeting_on: datetime.date | None = None,
    leaving=(),
    since: datetime.date | None = None,
) -> Reason:
    """At least ``minimum_percent`` of the meetings held in the window; none held passes.

    ``since``: the member's admission, when it falls inside the window (the window starts
    there for it); a reason that no meeting was held says "since you were admitted".

    ``next_meeting_held`` is the number of meetings the window will hold after the next
    meeting if the member misses it; when that would fall under the minimum, it is at risk.
    ``next_meeting_on``: the day of that meeting, part of the cause (``meeting_cause``).
    ``leaving`` (see ``attendance_falls_under``): the meetings that stop counting within
    ``AT_RISK_DAYS`` as the window moves on; when their leaving alone would take it under the
    minimum, it is at risk too, and the reason names the last day the meeting it attended
    counts (``until``), since no meeting it could come to need be planned.
    Compared exactly (``attended * 100 >= minimum * held``): exactly 50 % passes.
    """
    passes = attended * HUNDRED >= minimum_percent * held
    # Missing the next meeting (none held yet, or a share at the edge) would lapse it.
    at_risk = bool(next_meeting_held) and (attended * HUNDRED < minimum_percent * next_meeting_held)
    cause = meeting_cause("attendance", attended, next_meeting_held, next_meeting_on, at_risk)
    until = None
    if passes and held and leaving:
        # The window moves on: a meeting it attended stops counting.
        falls = attendance_falls_under(
            attended=attended, held=held, minimum_percent=minimum_percent, leaving=leaving
        )
        if falls is not None:
            until = falls[0]
            at_risk, cause = True, f"attendance_window:{until.isoformat()}"
        elif not at_risk and next_meeting_held:
            # Both together: meetings leave and the next one is missed.
            falls = attendance_falls_under(
                attended=attended,
                held=held,
                minimum_percent=minimum_percent,
                leaving=leaving,
                missed=next_meeting_held - held,
            )
            if falls is not None:
                at_risk = True
                cause = meeting_cause("attendance", falls[1], falls[2], next_meeting_on, at_risk)

    def params():
        values = {
            "attended": attended,
            "held": held,
            "minimum": shown_minimum(minimum_percent),
            "days": window_days,
        }
        if held:
            values["percent"] = attendance_percent(attended, held, minimum_percent)
        if until is not None:
            values["until"] = until.isoformat()
        if since is not None and not held:
            values["since"] = since.isoformat()
        return values

    if held == 0:
        return Reason("attendance_none_held", True, params, at_risk=at_risk, cause=cause)
    if passes:
        return Reason("attendance_ok", True, params, at_risk=at_risk, cause=cause)
    return Reason("attendance_low", False, params)


def attendance_percent(attended: int, held: int, minimum_percent: Decimal) -> str:
    """The share attended as shown: rounded half up (3 of 8 reads 38 %), except that a share
    under the minimum never reads as reaching it (51 of 103, 49.5 %, reads 49 %, not 50 %).
    With as many decimals as the minimum has (``percent_places``): under a minimum of
    33.33 %, 1 of 3 reads 33.33 % and 33 of 100 reads 33.00 %, not "33 %, 33 % needed"."""
    places = percent_places(minimum_percent)
    exact = percent(Decimal(attended), Decimal(held))
    shown = shown_percent(exact, places=places)
    if exact < minimum_percent and Decimal(shown) >= minimum_percent:
        return shown_percent(exact, rounding=ROUND_DOWN, places=places)
    return shown


def circle_attendance_passes(
    attended: int, held: int, minimum_percent: Decimal, minimum_count: int
) -> bool:
    """At least ``minimum_percent`` of the ``held`` meetings, and at least ``minimum_count`` of
    them (all of them when fewer were held). Exact: 2 of 4 is 50 %."""
    return attended * HUNDRED >= minimum_percent * held and attended >= min(minimum_count, held)


def circle_attendance_falls_under(
    *, attended: int, held: int, minimum_percent: Decimal, minimum_count: int, leaving
) -> datetime.date | None:
    """The last day a meeting of its circles that it attended counts, when the meetings in
    ``leaving`` ((last day it counts, held that day, of them attended), as for All Hands)
    leaving the window alone would take it under the circle minimum; None otherwise."""
    for last_day, left_held, left_attended in sorted(leaving):
        held -= left_held
        attended -= left_attended
        if held and not circle_attendance_passes(attended, held, minimum_percent, minimum_count):
            return last_day
    return None


def circle_attendance_rule(
    *,
    attended: int,
    held: int,
    minimum_percent: Decimal,
    minimum_count: int,
    window_days: int,
    next_meeting_held: int | None = None,
    next_meeting_on: datetime.date | None = None,
    leaving=(),
    since: datetime.date | None = None,
    seated_since: datetime.date | None = None,
) -> Reason:
    """The meetings of the member's circles (those it sat in on the meeting's day) held in
    the window: at least ``minimum_percent`` of them and at least ``minimum_count`` (capped at
    the number held); none held passes, as for All Hands. ``next_meeting_held``: the number
    held after a meeting of its circles coming within ``AT_RISK_DAYS``, if the member misses
    it; at risk when that would take it under the minimum (``next_meeting_on``: the day of
    that meeting, part of the cause). ``leaving``: the meetings that
    stop counting within ``AT_RISK_DAYS`` (see ``circle_attendance_falls_under``); at risk
    when their leaving alone would take it under, naming the day (``until``). ``since``: the
    member's admission, when it falls inside the window: a reason that none was held says
    "since you were admitted", as for All Hands. ``seated_since``: the first day of its seats
    held in the window, when after the window's first day: a meeting of its circles before
    it does not count, so a reason that none was held says "since you were seated" (when
    that day is after ``since``: the later of the two is where its meetings start to count)."""
    passes = circle_attendance_passes(attended, held, minimum_percent, minimum_count)
    # Missing the next meeting (none held yet, or a share at the edge) would lapse it.
    at_risk = bool(next_meeting_held) and not circle_attendance_passes(
        attended, next_meeting_held, minimum_percent, minimum_count
    )
    cause = meeting_cause(
        "circle_attendance", attended, next_meeting_held, next_meeting_on, at_risk
    )
    until = None
    if passes and held and leaving and not at_risk:
        until = circle_attendance_falls_under(
            attended=attended,
            held=held,
            minimum_percent=minimum_percent,
            minimum_count=minimum_count,
            leaving=leaving,
        )
        if until is not None:
            at_risk, cause = True, f"circle_attendance_window:{until.isoformat()}"

    def params():
        values = {
            "attended": attended,
            "held": held,
            "minimum": shown_minimum(minimum_percent),
            "count": minimum_count,
            "days": window_days,
        }
        if held:
            values["percent"] = attendance_percent(attended, held, minimum_percent)
        if until is not None:
            values["until"] = until.isoformat()
        if not held:
            if seated_since is not None and (since is None or seated_since > since):
                values["seated"] = seated_since.isoformat()
            elif since is not None:
                values["since"] = since.isoformat()
        return values

    if held == 0:
        return Reason("circle_attendance_none_held", True, params, at_risk=at_risk, cause=cause)
    if passes:
        return Reason("circle_attendance_ok", True, params, at_risk=at_risk, cause=cause)
    return Reason("circle_attendance_low", False, params)


def participation_rule(rule: str, *, all_hands: Reason | None, circles: Reason | None) -> list:
    """The participation reasons under the policy's ``rule`` (``ParticipationRule``):
    ``all_hands`` or ``circles`` alone, ``both`` (each must pass), or ``either`` (one passing
    is enough). Under ``either``, a failing side next to a passing one is shown as passing,
    worded as covered by the other (``attendance_covered``, ``circle_attendance_covered``);
    being at risk on the passing side counts only when the other side fails too."""
    if rule == "all_hands":
        return [all_hands]
    if rule == "circle":
        return [circles]
    if rule == "both":
        return [all_hands, circles]
    if not all_hands.ok and not circles.ok:
        return [all_hands, circles]
    if all_hands.ok and circles.ok:
        if all_hands.at_risk and circles.at_risk:
            return [all_hands, circles]
        # Missing one side's next meeting leaves the other side passing: nothing is at risk.
        return [_without_risk(all_hands), _without_risk(circles)]
    passing, failing = (all_hands, circles) if all_hands.ok else (circles, all_hands)
    covered = Reason(
        "attendance_covered" if failing is all_hands else "circle_attendance_covered",
        True,
        failing._params,
    )
    return [passing, covered] if passing is all_hands else [covered, passing]


def _without_risk(reason: Reason) -> Reason:
    if not reason.at_risk:
        return reason
    return Reason(reason.code, reason.ok, reason._params)


# The passing reasons that carry no numbers are the same for everyone: shared, not rebuilt.
TERMS_OK = Reason("terms_ok", True, {})
DUES_OK = Reason("dues_ok", True, {})
RESELLER_OK = Reason("reseller_ok", True, {})


def reseller_rule(
    *, missing_reports: list[str], unpaid_shares: list[str], due_soon: list[str] = ()
) -> Reason:
    """Quarters (as "2026-Q2") whose revenue report, or revenue-share payment, is overdue.
    ``due_soon``: the quarters ended whose report is not sent, or share not paid, yet, due
    within ``AT_RISK_DAYS`` (not overdue yet): at risk, one cause for those quarters."""
    if missing_reports or unpaid_shares:
        return Reason(
            "reseller_overdue",
            False,
            {"reports": ", ".join(missing_reports), "payments": ", ".join(unpaid_shares)},
        )
    if due_soon:
        quarters = ",".join(due_soon)
        # A reason of its own: ``RESELLER_OK`` is shared by every reseller up to date.
        return Reason(
            "reseller_ok",
            True,
            {"quarters": ", ".join(due_soon)},
            at_risk=True,
            cause=f"reseller:{quarters}",
        )
    return RESELLER_OK


def dues_rule(
    *, on: datetime.date, unpaid: list[tuple[datetime.date, Decimal, str]], grace_days: int
) -> Reason:
    """No invoice unpaid past its due date plus the grace period.

    ``unpaid`` lists (due_on, amount, currency) of the unpaid invoices already due.
    """
    if not unpaid:
        return DUES_OK
    oldest_due, amount, currency = min(unpaid, key=lambda row: row[0])
    deadline = oldest_due + datetime.timedelta(days=grace_days)

    def params():
        return {
            "due": oldest_due.isoformat(),
            "deadline": deadline.isoformat(),
            "amount": str(amount),
            "currency": currency,
            "grace": grace_days,
        }

    if on > deadline:
        return Reason("dues_overdue", False, params)
    return Reason("dues_in_grace", True, params, at_risk=True, cause=f"dues:{oldest_due}")


def terms_rule(
    *,
    on: datetime.date,
    required: list[tuple[str, str, datetime.datetime, bool]],
    acceptance_days: int,
) -> Reason:
    """Every terms version published more than ``acceptance_days`` before ``on`` is accepted.

    ``required`` lists, per document, its latest published version as (document code,
    version, published_at, accepted-or-a-later-one-accepted). The code is stored in the
    reason and its cause; ``membership.reasons`` words it in the reader's language.
    """
    missing, pending = [], []
    for label, version, published_at, accepted in required:
        if accepted:
            continue
        deadline = published_at.date() + datetime.timedelta(days=acceptance_days)
        (missing if on > deadline else pending).append((label, version, deadline))
    if missing:
        label, version, deadline = missing[0]
        return Reason(
            "terms_missing",
            False,
            {"document": label, "version": version, "deadline": deadline.isoformat()},
        )
    if pending:
        label, version, deadline = pending[0]
        return Reason(
            "terms_pending",
            True,
            {"document": label, "version": version, "deadline": deadline.isoformat()},
            at_risk=True,
            cause=f"terms:{label}:{version}",
        )
    return TERMS_OK


def status_from(reasons: list[Reason]) -> str:
    for reason in reasons:
        if not reason.ok:
            return "lapsed"
    return "active"


def progress_percent(
    money_eur: Decimal, hours: Decimal, commitment_money: Decimal, commitment_hours: Decimal
) -> Decimal:
    """The one commitment formula: money / commitment money + hours / commitment hours, as a
    percent to two places, rounded down: 99.996 % is not a fulfilled commitment. Resources
    count as money (their value in EUR)."""
    ratio = money_eur / commitment_money + hours / commitment_hours
    return (ratio * HUNDRED).quantize(PERCENT, rounding=ROUND_DOWN)


# --- one membership's evaluation -------------------------------------------------------------


MOVABLE = frozenset({"active", "lapsed"})


class Evaluation:
    """What the rules say of one membership on a date (worked out once, when made)."""

    __slots__ = (
        "membership_id",
        "member_id",
        "type",
        "status",
        "reasons",
        "computed",
        "new_status",
        "changes",
        "at_risk",
        "next_check",
        "stored_check",
    )

    def __init__(self, membership_id, member_id, type, status, reasons):  # noqa: A002
        self.membership_id = membership_id
        self.member_id = member_id
        self.type = type
        self.status = status  # the status it has now
        self.reasons = reasons  # of membership.rules.Reason
        self.computed = computed = status_from(reasons)
        # What the nightly job sets: it moves only between active and lapsed.
        self.new_status = new_status = computed if status in MOVABLE else status
        self.changes = new_status != status
        self.at_risk = [r for r in reasons if r.at_risk and r.ok]
        # The first day time alone can change it (``NEVER``: only a new fact can); set by
        # ``standing.selectors.status.status_apply``.
        self.next_check = None
        # The next check the membership held when it was read (``status_evaluate``): only
        # those that differ are written again.
        self.stored_check = None

    def reasons_json(self) -> list[dict]:
        return [r.as_json() for r in self.reasons]

    def why(self) -> list:
        """The reasons that explain the status it gets: for a lapse the rules that fail (and
        any at risk), for an active membership every rule, all passing."""
        if self.computed == "active":
            return self.reasons
        return [r for r in self.reasons if not r.ok or r.at_risk]

    def why_json(self) -> list[dict]:
        return [r.as_json() for r in self.why()]
