"""Reads of proposals: who may draft, see and vote on them, their state, tally and outcome, and
the lists each user sees."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from meetcoop.core.roles import is_coop_admin
from membership.selectors import members_of_user

from ..models import GovernanceDocument, Proposal, Voter


def has_voting_rights(user) -> bool:
    """Whether one of ``user``'s members holds an active membership (may draft proposals)."""
    from membership.models import Membership

    return Membership.objects.filter(
        member__in=members_of_user(user), status=Membership.Status.ACTIVE
    ).exists()


# --- proposals -------------------------------------------------------------------------------


def proposal_state(proposal, now: datetime.datetime | None = None) -> str:
    """The status a reader must see: an open proposal whose closing time has passed reads as
    closed, whether or not a worker has closed it yet."""
    now = now or timezone.now()
    if proposal.status == Proposal.Status.OPEN and proposal.closes_at and proposal.closes_at <= now:
        return Proposal.Status.CLOSED
    return proposal.status


def proposal_is_due(proposal, now: datetime.datetime) -> bool:
    return proposal.status == Proposal.Status.OPEN and proposal.closes_at <= now


@dataclass(frozen=True)
class Tally:
    electorate: int
    agree: int
    abstain: int
    block: int

    @property
    def voted(self) -> int:
        return self.agree + self.abstain + self.block

    @property
    def not_voted(self) -> int:
        return self.electorate - self.voted

    @property
    def turnout_percent(self) -> Decimal:
        if not self.electorate:
            return Decimal("0")
        return Decimal(self.voted) * 100 / Decimal(self.electorate)

    @property
    def turnout_shown(self) -> Decimal:
        """The turnout as it reads, in whole percent rounded down: 66.67 % under a 67 % quorum
        must not read "67 %" anywhere (the outcome's reason, the page's "so far")."""
        return self.turnout_percent.quantize(Decimal("1"), rounding=ROUND_DOWN)


def proposal_tally(proposal) -> Tally:
    """The live tally from the electorate's latest stances (stored figures once closed)."""
    if proposal.status == Proposal.Status.CLOSED:
        return Tally(
            proposal.electorate_size,
            proposal.agree_count,
            proposal.abstain_count,
            proposal.block_count,
        )
    counts = proposal.voters.aggregate(
        electorate=Count("pk"),
        agree=Count("pk", filter=Q(stance=Voter.Stance.AGREE)),
        abstain=Count("pk", filter=Q(stance=Voter.Stance.ABSTAIN)),
        block=Count("pk", filter=Q(stance=Voter.Stance.BLOCK)),
    )
    return Tally(counts["electorate"], counts["agree"], counts["abstain"], counts["block"])


def outcome_for(proposal, tally: Tally) -> tuple[str, str]:
    """DOMAIN.md's rule: adopted when turnout reaches the quorum, at least one voter agrees and
    nobody blocks; otherwise rejected. Returns (outcome, reason in the reader's words)."""
    outcome, code, params = outcome_decided(proposal, tally)
    return outcome, outcome_words(code, params)


def outcome_decided(proposal, tally: Tally) -> tuple[str, str, dict]:
    """``outcome_for`` as (outcome, reason code, its numbers): what a closed proposal stores,
    so that each reader reads the reason in their own language (``outcome_words``)."""
    if proposal_is_outdated(proposal):
        return Proposal.Outcome.REJECTED, "outdated", {}
    if tally.block:
        return Proposal.Outcome.REJECTED, "blocked", {"n": tally.block}
    if tally.turnout_percent < proposal.quorum_percent or not tally.electorate:
        return (
            Proposal.Outcome.REJECTED,
            "quorum",
            {
                "turnout": str(tally.turnout_shown),
                "quorum": f"{proposal.quorum_percent.normalize():f}",  # 50, not 5E+1
            },
        )
    if not tally.agree:
        return Proposal.Outcome.REJECTED, "nobody_agreed", {}
    return Proposal.Outcome.ADOPTED, "agreed", {}


def outcome_words(code: str, params: dict) -> str:
    """A stored outcome's reason in the active language."""
    if code == "outdated":
        return gettext("based on an outdated version of the document")
    if code == "blocked":
        return ngettext("%(n)d member blocked", "%(n)d members blocked", params["n"]) % params
    if code == "quorum":
        return gettext("quorum not reached: %(turnout)s %% voted, %(quorum)s %% needed") % params
    if code == "nobody_agreed":
        return gettext("nobody agreed")
    if code == "agreed":
        return gettext("agreed, with nobody blocking")
    return ""


def proposal_is_outdated(proposal) -> bool:
    """A proposal that changes a document and was not adopted is outdated once the document's
    current version is no longer the one it was based on (for a draft: never, its base is
    taken when it opens)."""
    if not proposal.document_id or proposal.status == Proposal.Status.DRAFT:
        return False
    if proposal.outcome == Proposal.Outcome.ADOPTED:
        return False
    current_id = (
        GovernanceDocument.objects.filter(pk=proposal.document_id)
        .values_list("current_version_id", flat=True)
        .first()
    )
    return current_id != proposal.base_version_id


def voters_for(proposal, user) -> list[Voter]:
    """All electorate rows ``user`` may vote for (one per member it is a contact of)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        proposal.voters.filter(member__in=members_of_user(user))
        .select_related("member")
        .order_by("member__name", "pk")
    )


def can_view_proposal(user, proposal) -> bool:
    """Co-op admins, the author, and (once it opened) its electorate."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_coop_admin(user) or (proposal.author_id and proposal.author_id == user.pk):
        return True
    if proposal.status == Proposal.Status.DRAFT:
        return False
    return _in_electorate(user, proposal)


def _in_electorate(user, proposal) -> bool:
    """Whether one of ``user``'s members is in ``proposal``'s electorate (one query)."""
    return proposal.voters.filter(member__in=members_of_user(user)).exists()


def can_read_tally(user, proposal) -> bool:
    """Co-op admins and the electorate: the tally, each stance and its reason are public to the
    electorate only. An author outside it (a member who lapsed, a member putting a change to a
    circle it does not sit in, the steward admin whose approval opened an admission) reads the
    proposal and, once closed, its outcome; not who stood where."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_coop_admin(user) or _in_electorate(user, proposal)


def proposals_for_user(user, *, now: datetime.datetime) -> QuerySet[Proposal]:
    """Proposals ``user`` may see, with ``my_pending`` (how many of its members in the
    electorate have not voted yet)."""
    qs = Proposal.objects.select_related("circle", "document")
    if not is_coop_admin(user):
        qs = qs.filter(
            Q(author=user)
            | Q(
                ~Q(status=Proposal.Status.DRAFT),
                pk__in=Voter.objects.filter(member__in=members_of_user(user)).values("proposal_id"),
            )
        )
    mine = Voter.objects.filter(
        proposal=OuterRef("pk"), member__in=members_of_user(user), stance=""
    )
    return qs.annotate(my_pending=Exists(mine))


def open_proposals_for_user(user, *, now: datetime.datetime) -> QuerySet[Proposal]:
    return (
        proposals_for_user(user, now=now)
        .filter(status=Proposal.Status.OPEN, closes_at__gt=now)
        .order_by("closes_at")
    )


def past_proposals_for_user(user, *, now: datetime.datetime) -> QuerySet[Proposal]:
    return (
        proposals_for_user(user, now=now)
        .filter(
            Q(status=Proposal.Status.CLOSED) | Q(status=Proposal.Status.OPEN, closes_at__lte=now)
        )
        .order_by("-closes_at")
    )


def draft_proposals_for_user(user) -> QuerySet[Proposal]:
    qs = Proposal.objects.filter(status=Proposal.Status.DRAFT)
    if not is_coop_admin(user):
        qs = qs.filter(author=user)
    return qs.order_by("-created_at")


def proposal_stances(proposal) -> QuerySet[Voter]:
    return proposal.voters.select_related("member").order_by("member__name")


def voters_to_remind(voter_ids, *, now: datetime.datetime) -> QuerySet[Voter]:
    """Of the claimed ``voter_ids``, those a reminder still makes sense for: no stance yet, on
    a proposal still open at ``now`` (a reminder sent after the closing would ask for a stance
    nobody can take any more)."""
    return Voter.objects.filter(
        pk__in=voter_ids,
        stance="",
        reminded_at__isnull=False,
        proposal__status=Proposal.Status.OPEN,
        proposal__closes_at__gt=now,
    )


def due_proposals(*, now: datetime.datetime) -> QuerySet[Proposal]:
    return Proposal.objects.filter(status=Proposal.Status.OPEN, closes_at__lte=now)
