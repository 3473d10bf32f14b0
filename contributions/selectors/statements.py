"""Bank statement reads: who sees which statements, the open invoices a statement's lines may
pay, and the match proposed for each line (by RF reference, else by amount and name).

Set-based: a statement's preview reads its lines, their decisions, the open invoices of the
stewards in scope and the payments already recorded from its entries in a fixed number of
queries, whatever the number of lines."""

import dataclasses
import datetime
import re
import unicodedata
from decimal import Decimal
from typing import NamedTuple

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from meetcoop.core.banking import format_rf
from meetcoop.core.money import format_money
from meetcoop.core.roles import is_treasurer

from ..models import BankLine, BankStatement, DuesInvoice, DuesPayment, LedgerEntry, PledgeInvoice
from ._common import ZERO
from .dues import invoices_with_paid
from .invoices import pledge_invoices_with_paid
from .money_in import may_see_money_in, money_in_stewards

# --- who sees what ----------------------------------------------------------------------------


# Whose statements a user imports is whose money in it sees: treasurers (and co-op admins)
# every steward's, a steward's admin its own (``money_in.money_in_stewards``).
money_stewards_visible_to = money_in_stewards
may_import_statements = may_see_money_in


def may_import_for(user, steward) -> bool:
    """Whether ``user`` may import a statement of ``steward`` (None: the co-op's account)."""
    if user is None:  # the system (the command run by the co-op's operators)
        return True
    if is_treasurer(user):
        return True
    return steward is not None and steward.admins.filter(pk=user.pk).exists()


def statements_visible_to(user) -> QuerySet[BankStatement]:
    """Treasurers see every statement; a steward's admin those of its stewards."""
    qs = BankStatement.objects.select_related("steward", "imported_by", "mapping")
    if is_treasurer(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(steward__admins=user)


def statements_visible_to_stewards(stewards, *, treasurer: bool) -> QuerySet[BankStatement]:
    """The statements of ``stewards`` (and of the co-op's account for a treasurer)."""
    scope = Q(steward__in=stewards)
    if treasurer:
        scope |= Q(steward__isnull=True)
    return BankStatement.objects.filter(scope)


class UnmatchedLines(NamedTuple):
    count: int
    lines: QuerySet[BankLine]


def unmatched_bank_lines(user) -> UnmatchedLines:
    """Money in, on statements ``user`` sees, that no confirm has recorded or skipped yet: the
    count (one query) and the lines (a lazy queryset, oldest first)."""
    lines = (
        BankLine.objects.filter(
            statement__in=statements_visible_to(user).values("pk"),
            is_credit=True,
            decision__isnull=True,
        )
        .select_related("statement")
        .order_by("booked_on", "pk")
    )
    return UnmatchedLines(lines.count(), lines)


# --- open invoices ----------------------------------------------------------------------------


@dataclasses.dataclass
class Candidate:
    """An open invoice a line may pay: ``key`` "d:<pk>" for dues, "p:<pk>" for a pledge."""

    key: str
    kind: str  # "dues" or "pledge"
    invoice: DuesInvoice | PledgeInvoice
    member_name: str
    tokens: frozenset
    outstanding: Decimal
    currency: str
    reference: str

    @property
    def label(self) -> str:
        outstanding = format_money(self.outstanding, self.currency)
        if self.kind == "dues":
            return _("%(member)s: %(invoice)s, %(outstanding)s outstanding (%(reference)s)") % {
                "member": self.member_name,
                "invoice": self.invoice,
                "outstanding": outstanding,
                "reference": format_rf(self.reference),
            }
        return _("%(member)s: money pledged, %(outstanding)s outstanding (%(reference)s)") % {
            "member": self.member_name,
            "outstanding": outstanding,
            "reference": format_rf(self.reference),
        }


def name_tokens(name: str) -> frozenset:
    """The words of a name, without case or accents: "Pérez, ANA" -> {"perez", "ana"}."""
    plain = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return frozenset(t for t in re.split(r"[^0-9a-z]+", plain) if len(t) > 1)


def names_match(a: frozenset, b: frozenset) -> bool:
    """Every word of the shorter name is in the longer, and at least two when both have two."""
    if not a or not b:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return shorter <= longer and len(shorter & longer) >= min(2, len(shorter))


def open_invoices_for(*, user, steward, on: datetime.date) -> dict[str, Candidate]:
    """The open invoices a statement of ``steward`` (None: the co-op's account, every
    steward) may pay, as ``user`` may match them (None: the system). Two queries.

    A steward's admin matches dues of its own steward only; pledges are matched by
    treasurers (only they record money in the ledger) and by the system."""
    if (
        user is not None
        and not is_treasurer(user)
        and (steward is None or not steward.admins.filter(pk=user.pk).exists())
    ):
        return {}
    scope = Q() if steward is None else Q(membership__steward=steward)
    result: dict[str, Candidate] = {}
    dues = (
        invoices_with_paid(DuesInvoice.objects.filter(scope), on=datetime.date.max)
        .filter(paid__lt=F("amount"))
        .select_related("membership__member")
        .order_by("due_on", "pk")
    )
    for invoice in dues:
        result[f"d:{invoice.pk}"] = _candidate("d", "dues", invoice, invoice.amount - invoice.paid)
    if user is None or is_treasurer(user):
        # Paid as the invoice's page counts it (its currency, less reversals), and the
        # entries waiting for approval too: a line is never matched to money already in.
        pledges = (
            pledge_invoices_with_paid(
                PledgeInvoice.objects.filter(scope), on=datetime.date.max, pending=True
            )
            .filter(paid__lt=F("amount"))
            .select_related("membership__member")
            .order_by("due_on", "pk")
        )
        for invoice in pledges:
            result[f"p:{invoice.pk}"] = _candidate(
                "p", "pledge", invoice, invoice.amount - invoice.paid
            )
    return result


def _candidate(prefix, kind, invoice, outstanding) -> Candidate:
    member = invoice.membership.member
    return Candidate(
        key=f"{prefix}:{invoice.pk}",
        kind=kind,
        invoice=invoice,
        member_name=member.display_name,
        tokens=name_tokens(member.name) | name_tokens(member.display_name),
        outstanding=outstanding,
        currency=invoice.currency,
        reference=invoice.reference,
    )


# --- matching ---------------------------------------------------------------------------------


class State:
    RECORDED = "recorded"  # a payment was recorded from this entry (now or before)
    SKIPPED = "skipped"
    DEBIT = "debit"
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNMATCHED = "unmatched"


@dataclasses.dataclass
class LineMatch:
    line: BankLine
    state: str
    reason: str
    candidate: Candidate | None = None

    @property
    def is_open(self) -> bool:
        """Still to decide: money in that nobody recorded or skipped."""
        return self.state in (State.MATCHED, State.AMBIGUOUS, State.UNMATCHED)


def recorded_source_keys(keys) -> set[str]:
    """Which of ``keys`` a dues payment or a money entry was already recorded from."""
    keys = list(keys)
    if not keys:
        return set()
    found = set(
        DuesPayment.objects.filter(source_key__in=keys).values_list("source_key", flat=True)
    )
    found |= set(
        LedgerEntry.objects.filter(source_key__in=keys).values_list("source_key", flat=True)
    )
    return found


def match_lines(lines, candidates: dict[str, Candidate], *, recorded: set[str]) -> list[LineMatch]:
    """The match proposed for each line, in order: by RF reference, else by amount and name.
    No query: ``lines`` carry their decision (or None) in ``decision_or_none``; ``recorded``
    holds the source keys already recorded. What a line matches is no longer outstanding for
    the lines after it."""
    by_reference = {c.reference: c for c in candidates.values()}
    left = {key: c.outstanding for key, c in candidates.items()}
    result = []
    for line in lines:
        decision = getattr(line, "decision_or_none", None)
        if decision is not None and decision.outcome == "skipped":
            result.append(LineMatch(line, State.SKIPPED, _("Skipped.")))
            continue
        if decision is not None or line.source_key in recorded:
            result.append(LineMatch(line, State.RECORDED, _("Already recorded.")))
            continue
        if not line.is_credit:
            result.append(LineMatch(line, State.DEBIT, _("Money out: not a payment in.")))
            continue
        match = _match_one(line, candidates, by_reference, left)
        if match.candidate is not None:
            left[match.candidate.key] -= line.amount
        result.append(match)
    return result


def _invoice_words(candidate: Candidate) -> str:
    if candidate.kind == "dues":
        return _("the dues invoice %(invoice)s of %(member)s") % {
            "invoice": candidate.invoice,
            "member": candidate.member_name,
        }
    return _("the pledge invoice of %(member)s") % {"member": candidate.member_name}


def _match_one(line, candidates, by_reference, left) -> LineMatch:
    amount = format_money(line.amount, line.currency)
    candidate = by_reference.get(line.reference) if line.reference else None
    if candidate is not None:
        params = {
            "reference": format_rf(line.reference),
            "invoice": _invoice_words(candidate),
            "outstanding": format_money(max(left[candidate.key], ZERO), candidate.currency),
        }
        if candidate.currency != line.currency:
            return LineMatch(
                line,
                State.UNMATCHED,
                _(
                    "Reference %(reference)s is of %(invoice)s, which is in %(currency)s: "
                    "decide by hand."
                )
                % {**params, "currency": candidate.currency},
            )
        if left[candidate.key] <= 0:
            return LineMatch(
                line,
                State.UNMATCHED,
                _("Reference %(reference)s is of %(invoice)s, which is already paid.") % params,
            )
        if line.amount > left[candidate.key]:
            return LineMatch(
                line,
                State.UNMATCHED,
                _(
                    "Reference %(reference)s is of %(invoice)s, but only %(outstanding)s is "
                    "outstanding: decide by hand."
                )
                % params,
            )
        return LineMatch(
            line,
            State.MATCHED,
            _("Reference %(reference)s of %(invoice)s.") % params,
            candidate,
        )
    tokens = name_tokens(line.counterparty)
    same_amount = [
        c for c in candidates.values() if c.currency == line.currency and left[c.key] == line.amount
    ]
    named = [c for c in same_amount if names_match(tokens, c.tokens)]
    if len(named) == 1:
        return LineMatch(
            line,
            State.MATCHED,
            _("Amount %(amount)s and name %(name)s of %(invoice)s.")
            % {"amount": amount, "name": line.counterparty, "invoice": _invoice_words(named[0])},
            named[0],
        )
    if len(named) > 1:
        return LineMatch(
            line,
            State.AMBIGUOUS,
            _("Ambiguous: %(count)s open invoices of %(amount)s are in this name; choose one.")
            % {"count": len(named), "amount": amount},
        )
    return LineMatch(line, State.UNMATCHED, _("No open invoice with this reference or amount."))


def statement_matches(
    statement: BankStatement, *, user, on: datetime.date
) -> tuple[list[LineMatch], dict[str, Candidate]]:
    """Each line of ``statement`` with its proposed match, and the open invoices ``user`` may
    assign its lines to. A fixed number of queries."""
    lines = list(
        statement.lines.select_related(
            "decision__dues_invoice__membership__member",
            "decision__pledge_invoice__membership__member",
            "decision__decided_by",
        ).order_by("position")
    )
    for line in lines:
        line.decision_or_none = getattr(line, "decision", None)
    candidates = open_invoices_for(user=user, steward=statement.steward, on=on)
    recorded = recorded_source_keys(line.source_key for line in lines)
    return match_lines(lines, candidates, recorded=recorded), candidates
