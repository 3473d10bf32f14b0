"""Writes of proposals: drafting, opening (the electorate and the frozen text), stances,
closing (the tally and outcome), the closing reminders and re-proposing an outdated change."""

import datetime
import json
import logging
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.dates import check_plausible
from meetcoop.core.errors import DomainError
from membership.selectors import members_of_user

from .. import selectors
from ..models import (
    Circle,
    CircleRole,
    GovernanceDocument,
    Proposal,
    StanceRecord,
    Voter,
)
from ..signals import admission_decided
from .documents import _adopt_document_text, document_electorate, sha256

logger = logging.getLogger(__name__)


def proposal_content_sha256(proposal: Proposal) -> str:
    """The hash of everything that is voted on: title, text, electorate, quorum, and the new
    document text with the version it is based on."""
    frozen = {
        "title": proposal.title,
        "text": proposal.text,
        "electorate": proposal.electorate,
        "circle_id": proposal.circle_id,
        "quorum_percent": str(proposal.quorum_percent),
        "document_id": proposal.document_id,
        "base_version_id": proposal.base_version_id,
        "new_text": proposal.new_text,
        "admission_application_id": proposal.admission_application_id,
    }
    if proposal.role_application_id is not None:  # absent before waged roles: old hashes hold
        frozen["role_application_id"] = proposal.role_application_id
    return sha256(json.dumps(frozen, sort_keys=True, ensure_ascii=False))


def proposal_create(
    *,
    title: str,
    text: str,
    electorate: str | None = None,
    circle: Circle | None = None,
    quorum_percent: Decimal = Decimal("0"),
    document: GovernanceDocument | None = None,
    new_text: str = "",
    actor,
) -> Proposal:
    """A draft. Nothing is frozen until it opens.

    A change to a document is decided as the document says (``document_electorate``): with no
    electorate given it gets that one; another one is refused."""
    if document is not None:
        electorate, circle = _document_rule(document, electorate, circle)
    elif electorate is None:
        electorate = Proposal.Electorate.ALL
    with transaction.atomic():
        proposal = Proposal(
            title=title,
            text=text,
            electorate=electorate,
            circle=circle,
            quorum_percent=quorum_percent,
            document=document,
            new_text=new_text,
            author=actor if getattr(actor, "pk", None) else None,
        )
        proposal.full_clean()
        proposal.save()
        audit_log(actor=actor, action="governance.proposal.created", obj=proposal)
    return proposal


# What a draft's editor may change (the admin's change form): everything that is voted on,
# and the closing time it suggests. Frozen when it opens.
DRAFT_FIELDS = (
    "title",
    "text",
    "electorate",
    "circle",
    "quorum_percent",
    "document",
    "new_text",
    "closes_at",
)


def proposal_draft_update(*, proposal: Proposal, actor, **changes) -> Proposal:
    """Change a draft (the admin's change form). The row is locked and read again, so a draft
    opened (or closed) meanwhile is refused, never written back as it was loaded: an open
    proposal is frozen. Changing nothing writes nothing, whatever its state. A change to a
    document is decided as the document says, as in ``proposal_create``."""
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise DomainError(_("These can't be changed here: %(f)s.") % {"f": ", ".join(unknown)})
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = _draft_values(proposal)
        touched = {f for f, value in changes.items() if before[f] != _draft_value(value)}
        if not touched:
            return proposal
        if proposal.status != Proposal.Status.DRAFT:
            raise DomainError(_("This proposal is already open or closed: it can't be changed."))
        for field in touched:
            setattr(proposal, field, changes[field])
        if proposal.document_id and touched & {"electorate", "circle", "document"}:
            proposal.electorate, proposal.circle = _document_rule(
                proposal.document, proposal.electorate, proposal.circle
            )
        proposal.full_clean()
        after = _draft_values(proposal)
        changed = [field for field in DRAFT_FIELDS if before[field] != after[field]]
        proposal.save(update_fields=changed)
        audit_log(
            actor=actor,
            action="governance.proposal.changed",
            obj=proposal,
            data={field: [_audited(before[field]), _audited(after[field])] for field in changed},
        )
    return proposal


def _draft_value(value):
    """A draft field's value to compare (a row as its id)."""
    return value.pk if hasattr(value, "pk") else value


def _audited(value):
    return str(value) if isinstance(value, Decimal | datetime.datetime) else value


def _draft_values(proposal: Proposal) -> dict:
    return {
        field: _draft_value(
            getattr(proposal, f"{field}_id")
            if field in ("circle", "document")
            else getattr(proposal, field)
        )
        for field in DRAFT_FIELDS
    }


def proposal_draft_delete(*, proposal: Proposal, actor) -> None:
    """Delete a draft (the admin's delete page). Locked and read again: a proposal opened
    meanwhile is kept, with its electorate."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != Proposal.Status.DRAFT:
            raise DomainError(_("Only a draft can be deleted: this proposal has opened."))
        audit_log(
            actor=actor,
            action="governance.proposal.deleted",
            obj=proposal,
            data={"title": proposal.title},
        )
        proposal.delete()


def _document_rule(document: GovernanceDocument, electorate, circle):
    """The (electorate, circle) of a proposal changing ``document``: the document's rule wins.
    ``electorate`` None takes the rule; another electorate than the rule's is refused."""
    wanted, circle_id = document_electorate(document)
    if wanted == Proposal.Electorate.CIRCLE:
        if electorate is None or (
            electorate == Proposal.Electorate.CIRCLE and getattr(circle, "pk", None) == circle_id
        ):
            return Proposal.Electorate.CIRCLE, document.responsible_circle
        raise DomainError(
            _(
                "A change to “%(document)s” is decided by its responsible circle, %(circle)s: "
                "choose that circle as the electorate."
            )
            % {"document": document.title, "circle": document.responsible_circle.name},
            field="electorate",
        )
    if electorate is None:
        return Proposal.Electorate.ALL, None
    if electorate == Proposal.Electorate.CIRCLE:
        raise DomainError(
            _(
                "A change to “%(document)s” is decided by the whole Assembly, not by one circle: "
                "choose all members with voting rights or the operational members."
            )
            % {"document": document.title},
            field="electorate",
        )
    return electorate, None


def _electorate_member_ids(proposal: Proposal, *, on: datetime.date) -> list[int]:
    """Active members of the named kind, on the day the proposal opens.

    - all members with voting rights: any member with an active membership (operational or user);
    - operational members: members with an active operational membership;
    - a circle: active members seated in that circle on the opening day (as member or
      coordinator).
    """
    from membership.models import Membership

    if proposal.electorate == Proposal.Electorate.CIRCLE:
        qs = CircleRole.objects.filter(
            selectors.seats_on(on),
            circle_id=proposal.circle_id,
            member__memberships__status=Membership.Status.ACTIVE,
        )
        return sorted(set(qs.values_list("member_id", flat=True)))
    memberships = Membership.objects.filter(status=Membership.Status.ACTIVE)
    if proposal.electorate == Proposal.Electorate.OPERATIONAL:
        memberships = memberships.filter(type=Membership.Type.OPERATIONAL)
    return sorted(set(memberships.values_list("member_id", flat=True)))


# The longest reason a stance may give (every other text a member types has a bound too).
STANCE_REASON_MAX = 2000


# Letters that show nothing (Hangul fillers, the blank Braille pattern), besides the
# separators, control and format characters (zero-width spaces and joiners, soft hyphen) and
# the marks that only change the character before them (variation selectors, the combining
# grapheme joiner, accents): alone, those show nothing either.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_text(text: str) -> bool:
    """Whether ``text`` shows anything: a Block's reason of spaces, zero-width characters,
    soft hyphens or marks with no letter to sit on is no reason."""
    return any(
        unicodedata.category(char)[0] not in "CZM" and char not in _BLANK_LETTERS
        for char in text or ""
    )


def proposal_title(text: str) -> str:
    """``text`` cut, with an ellipsis, to what a proposal's title holds: a title made from
    names (an organisation's, a role's) may be longer."""
    return Truncator(text).chars(Proposal._meta.get_field("title").max_length)


def proposal_open(
    *, proposal: Proposal, closes_at: datetime.datetime, actor, now=None, notify: bool = True
) -> Proposal:
    """Open a draft: fix the electorate, freeze the text (and the document's base version) and
    store its hash, schedule the closing and tell the electorate."""
    now = now or timezone.now()
    if timezone.is_naive(closes_at):
        raise DomainError(_("The closing time needs a time zone."))
    check_plausible(timezone.localtime(closes_at), field="closes_at", today=timezone.localdate(now))
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != Proposal.Status.DRAFT:
            raise DomainError(_("This proposal is already open or closed."))
        if closes_at <= now:
            raise DomainError(_("The closing time must be in the future."))
        electorate_from_document = False
        if proposal.document_id:
            document = GovernanceDocument.objects.select_for_update().get(pk=proposal.document_id)
            proposal.base_version_id = document.current_version_id
            # The document's rule when it opens wins over the draft's (it may have changed).
            rule = document_electorate(document)
            if (
                rule[0] == Proposal.Electorate.CIRCLE
                and (
                    proposal.electorate,
                    proposal.circle_id,
                )
                != rule
                or rule[0] != Proposal.Electorate.CIRCLE
                and (proposal.electorate == Proposal.Electorate.CIRCLE)
            ):
                proposal.electorate, proposal.circle_id = rule
                electorate_from_document = True
        proposal.full_clean()
        member_ids = _electorate_member_ids(proposal, on=timezone.localdate(now))
        if not member_ids:
            raise DomainError(_("Nobody is in this electorate: the proposal can't open."))
        Voter.objects.bulk_create(
            [Voter(proposal=proposal, member_id=pk) for pk in member_ids], batch_size=2000
        )
        proposal.status = Proposal.Status.OPEN
        proposal.opens_at = now
        proposal.closes_at = closes_at
        proposal.electorate_size = len(member_ids)
        proposal.content_sha256 = proposal_content_sha256(proposal)
        proposal.save(
            update_fields=[
                "status",
                "opens_at",
                "closes_at",
                "base_version",
                "electorate",
                "circle",
                "electorate_size",
                "content_sha256",
            ]
        )
        audit_log(
            actor=actor,
            action="governance.proposal.opened",
            obj=proposal,
            data={
                "electorate_size": len(member_ids),
                "electorate": proposal.electorate,
                "electorate_from_document": electorate_from_document,
                "closes_at": closes_at.isoformat(),
                "content_sha256": proposal.content_sha256,
            },
        )
        if notify:  # the demo seeder writes history without mailing anyone
            transaction.on_commit(lambda: _after_open(proposal.pk, closes_at))
    return proposal


def _after_open(proposal_id: int, closes_at: datetime.datetime):
    from .. import tasks

    tasks.send_proposal_opened.delay(proposal_id)
    tasks.close_proposal.apply_async(args=[proposal_id], eta=closes_at)


def stance_cast(
    *, proposal: Proposal, member, stance: str, reason: str = "", actor, now=None
) -> Voter:
    """``actor`` records ``member``'s stance. Only contacts of a member of the electorate may,
    and only while the proposal is open; a Block needs a reason. Casting again replaces the
    stance (the history keeps every one)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if stance not in Voter.Stance.values:
        raise DomainError(_("Choose Agree, Abstain or Block."))
    if stance == Voter.Stance.BLOCK and not has_visible_text(reason):
        raise DomainError({"reason": _("A block needs a reason.")})
    if len(reason) > STANCE_REASON_MAX:
        raise DomainError(
            _("At most %(count)s characters, please.") % {"count": STANCE_REASON_MAX},
            field="reason",
        )
    with transaction.atomic():
        # Lock the proposal too: a stance and the closing tally never interleave.
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if selectors.proposal_state(locked, now) != Proposal.Status.OPEN:
            raise DomainError(_("This proposal is not open for voting."))
        voter = (
            Voter.objects.select_for_update()
            .filter(proposal_id=locked.pk, member_id=member.pk)
            .first()
        )
        if voter is None:
            raise DomainError(_("This member is not in the electorate of this proposal."))
        if not members_of_user(actor).filter(pk=member.pk).exists():
            raise DomainError(_("You can only vote for a member you are a contact of."))
        voter.proposal = locked
        if voter.stance == stance and voter.reason == reason:
            return voter
        voter.stance = stance
        voter.reason = reason
        voter.stance_at = now
        voter.stance_by = actor
        voter.save(update_fields=["stance", "reason", "stance_at", "stance_by"])
        StanceRecord.objects.create(
            voter=voter, stance=stance, reason=reason, cast_at=now, cast_by=actor
        )
        audit_log(
            actor=actor,
            action="governance.stance.cast",
            obj=voter.proposal,
            data={"member": member.pk, "stance": stance},
        )
    return voter


def proposal_close(*, proposal: Proposal, actor, now=None, notify: bool = True) -> Proposal:
    """Close a proposal whose closing time has passed: store the tally, the electorate size and
    the outcome; adopt its document text or admit its applicant when adopted. Closing a closed
    proposal changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status == Proposal.Status.CLOSED:
            return proposal
        if proposal.status != Proposal.Status.OPEN:
            raise DomainError(_("A draft can't be closed."))
        if proposal.closes_at > now:
            raise DomainError(_("This proposal is still open until its closing time."))
        if proposal_content_sha256(proposal) != proposal.content_sha256:
            raise DomainError(_("The proposal's text changed after it opened: refusing."))
        document = None
        if proposal.document_id:
            # Lock the document first: two proposals on one version can't both be adopted.
            document = GovernanceDocument.objects.select_for_update().get(pk=proposal.document_id)
        tally = selectors.proposal_tally(proposal)
        outcome, code, params = selectors.outcome_decided(proposal, tally)
        proposal.status = Proposal.Status.CLOSED
        proposal.closed_at = now
        proposal.outcome = outcome
        # Each reader reads the reason in their own language (``Proposal.outcome_text``); the
        # stored words are the co-op's language, whoever happened to close it.
        proposal.outcome_code, proposal.outcome_params = code, params
        with translation.override(settings.LANGUAGE_CODE):
            reason = selectors.outcome_words(code, params)
        proposal.outcome_reason = reason[:300]
        proposal.electorate_size = tally.electorate
        proposal.agree_count = tally.agree
        proposal.abstain_count = tally.abstain
        proposal.block_count = tally.block
        proposal.save(
            update_fields=[
                "status",
                "closed_at",
                "outcome",
                "outcome_reason",
                "outcome_code",
                "outcome_params",
                "electorate_size",
                "agree_count",
                "abstain_count",
                "block_count",
            ]
        )
        if outcome == Proposal.Outcome.ADOPTED and document is not None:
            _adopt_document_text(proposal, document, now=now)
        audit_log(
            actor=actor,
            action="governance.proposal.closed",
            obj=proposal,
            data={
                "outcome": outcome,
                "reason": reason,
                "electorate": tally.electorate,
                "agree": tally.agree,
                "abstain": tally.abstain,
                "block": tally.block,
            },
        )
        if proposal.role_application_id is not None:
            from .roles import role_application_settle  # roles opens proposals through here

            with translation.override(settings.LANGUAGE_CODE):  # stored words, as above
                role_application_settle(
                    proposal=proposal,
                    adopted=outcome == Proposal.Outcome.ADOPTED,
                    reason=reason,
                    actor=actor,
                    on=timezone.localdate(proposal.closes_at),
                )
        if proposal.is_admission:
            # resellers admits the applicant or closes the application, in this transaction;
            # its DomainError rolls the close back (see the signal's contract).
            with translation.override(settings.LANGUAGE_CODE):  # stored words, as above
                admission_decided.send(
                    sender=Proposal,
                    proposal=proposal,
                    adopted=outcome == Proposal.Outcome.ADOPTED,
                    reason=reason,
                    actor=actor,
                    on=timezone.localdate(proposal.closes_at),
                )
        if notify:
            transaction.on_commit(lambda: _after_close(proposal.pk))
    return proposal


def _after_close(proposal_id: int):
    from .. import tasks

    tasks.send_proposal_outcome.delay(proposal_id)


def proposal_close_if_due(*, proposal: Proposal, now=None) -> bool:
    """Record the outcome of a proposal whose closing time has passed, if nobody has yet.

    The worker closes due proposals every few minutes; without one (the embedded default, no
    Redis) the first person to open the proposal after its closing time records it. Returns
    whether this call closed it. A proposal that can't be closed (its text changed after it
    opened) is logged and left for a person, never shown as an error to the reader."""
    now = now or timezone.now()
    if not selectors.proposal_is_due(proposal, now):
        return False
    try:
        closed = proposal_close(proposal=proposal, actor=None, now=now)
    except DomainError:
        logger.exception("Could not close proposal %s", proposal.pk)
        return False
    return closed.closed_at == now


def close_due_proposals(*, now=None) -> int:
    """Close every open proposal whose closing time has passed. Safe to run twice or in
    parallel: each close locks its row and a closed proposal is left alone."""
    now = now or timezone.now()
    closed = 0
    for pk in list(selectors.due_proposals(now=now).values_list("pk", flat=True)):
        proposal = Proposal(pk=pk)
        try:
            result = proposal_close(proposal=proposal, actor=None, now=now)
        except DomainError:
            logger.exception("Could not close proposal %s", pk)
            continue
        if result.closed_at == now:
            closed += 1
    return closed


def closing_reminders_send(*, now=None, within=datetime.timedelta(days=1)) -> int:
    """Mark, once, the members who have not voted on proposals closing within a day, and email
    them after commit. Running it again sends nothing more."""
    now = now or timezone.now()
    due = Voter.objects.filter(
        proposal__status=Proposal.Status.OPEN,
        proposal__closes_at__gt=now,
        proposal__closes_at__lte=now + within,
        stance="",
        reminded_at__isnull=True,
    )
    with transaction.atomic():
        ids = list(due.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        # Conditional update: a run racing this one finds reminded_at already set.
        Voter.objects.filter(pk__in=ids, reminded_at__isnull=True).update(reminded_at=now)
        transaction.on_commit(lambda: _after_remind(ids))
    return len(ids)


def _after_remind(voter_ids):
    from .. import tasks

    tasks.send_closing_reminders_to.delay(list(voter_ids))


def proposal_repropose(*, proposal: Proposal, actor) -> Proposal:
    """A new draft carrying the same change, to be based on the document's current text."""
    proposal = Proposal.objects.get(pk=proposal.pk)
    if not selectors.proposal_is_outdated(proposal):
        raise DomainError(_("Only a proposal based on an outdated version is re-proposed."))
    electorate, circle = proposal.electorate, proposal.circle
    if proposal.document_id and (
        proposal.document.decided_by == GovernanceDocument.DecidedBy.CIRCLE
        or electorate == Proposal.Electorate.CIRCLE
    ):
        electorate, circle = None, None  # the document's rule of today
    return proposal_create(
        title=proposal.title,
        text=proposal.text,
        electorate=electorate,
        circle=circle,
        quorum_percent=proposal.quorum_percent,
        document=proposal.document,
        new_text=proposal.new_text,
        actor=actor,
    )
