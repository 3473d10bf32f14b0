"""Fair Use and service concerns: a member raises one, the person concerned answers, the co-op's
admins (or the admins of the steward that serves the member concerned) decide the outcome.

Every step appends a :class:`ConcernEntry` (who, when, text) and an audit entry; nothing is
changed in place but the concern's status, under a row lock; nothing is deleted. The person
concerned is told by email when the concern is opened and when it is decided, each once, in
their language, and never learns who raised it.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.mail import absolute_url, send_templated_email
from membership.models import Member, Membership
from membership.selectors import member_ids_of
from membership.services import membership_status_set

from ..models import Concern, ConcernEntry, Steward
from ..selectors import concern_follower, concern_recipients, concerns_about
from .transitions import ALREADY_DECIDED

logger = logging.getLogger(__name__)

TEXT_MAX = 5000


def _text(value: str, *, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Please write something here."), field=field)
    if len(value) > TEXT_MAX:
        raise DomainError(
            _("Please keep it under %(count)d characters.") % {"count": TEXT_MAX}, field=field
        )
    return value


def concern_raise(
    *,
    user,
    kind: str,
    description: str,
    evidence: str = "",
    steward: Steward | None = None,
    member_email: str = "",
) -> Concern:
    """A member raises a concern about a reseller's service (``steward``) or about a member's
    use under the Fair Use Agreement (``member_email``, the address the reporter knows).

    The email is matched here, on the server, and the answer is the same whether it belongs to
    a member or not: nobody learns from this form who is a member. A concern whose email
    matches no member is kept for the co-op's admins, and nobody is written to.
    """
    reporters = member_ids_of(user)
    if not reporters:
        raise DomainError(_("Only members can raise a concern."))
    description = _text(description, field="description")
    evidence = _text(evidence, field="evidence", required=False)
    concern = Concern(
        kind=kind,
        raised_by=user,
        raised_for_id=min(reporters),
        description=description,
        evidence=evidence,
    )
    if kind == Concern.Kind.SERVICE:
        if steward is None or steward.kind != Steward.Kind.RESELLER:
            raise DomainError(_("Choose the reseller your concern is about."), field="steward")
        concern.steward = steward
    elif kind == Concern.Kind.USE:
        member_email = (member_email or "").strip()
        if not member_email:
            raise DomainError(_("Give the member's email address."), field="member_email")
        member = Member.objects.filter(email__iexact=member_email).order_by("pk").first()
        if member is not None and member.pk in reporters:
            raise DomainError(_("You can't raise a concern about yourself."), field="member_email")
        concern.member_email = member_email
        if member is not None:
            concern.member = member
            concern.followed_by_id = _serving_steward_id(member)
    else:
        raise DomainError(_("Choose what your concern is about."), field="kind")
    with transaction.atomic():
        concern.save()
        ConcernEntry.objects.create(
            concern=concern, kind=ConcernEntry.Kind.OPENED, author=user, text=description
        )
        audit_log(
            actor=user,
            action="resellers.concern.opened",
            obj=concern,
            data={"kind": kind, "matched": kind == Concern.Kind.SERVICE or bool(concern.member_id)},
        )
        transaction.on_commit(lambda: _enqueue("concern_opened_notify", concern.pk))
    return concern


def _serving_steward_id(member) -> int | None:
    """The steward that serves ``member``: that of its open user membership, else of any open
    membership."""
    open_memberships = Membership.objects.filter(member=member, ended_on__isnull=True)
    for type_ in (Membership.Type.USER, Membership.Type.OPERATIONAL):
        steward_id = (
            open_memberships.filter(type=type_).order_by("pk").values_list("steward_id", flat=True)
        ).first()
        if steward_id:
            return steward_id
    return None


def concern_answer(*, concern: Concern, user, text: str) -> ConcernEntry:
    """The person concerned answers (recorded as an entry), while the concern is open."""
    text = _text(text, field="text")
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if not concerns_about(user).filter(pk=locked.pk).exists():
            raise DomainError(_("Only the person concerned can answer."))
        if locked.status != Concern.Status.OPEN:
            raise DomainError(
                _("This concern is decided: it takes no more answers."), code=ALREADY_DECIDED
            )
        entry = ConcernEntry.objects.create(
            concern=locked, kind=ConcernEntry.Kind.ANSWER, author=user, text=text
        )
        audit_log(actor=user, action="resellers.concern.answered", obj=locked)
    return entry


def concern_decide(*, concern: Concern, actor, outcome: str, text: str) -> Concern:
    """Record the outcome: no action, a warning, or a suspension. A suspension suspends the
    member's open memberships with the steward that serves it through
    ``membership_status_set``, with ``text`` as the note the member reads. A concern is decided
    once: a second decision is refused (``code="already_decided"``)."""
    if outcome not in Concern.Outcome.values:
        raise DomainError(_("Choose an outcome."), field="outcome")
    text = _text(text, field="text")
    with transaction.atomic():
        locked = (
            Concern.objects.select_for_update(of=("self",))
            .select_related("followed_by", "member")
            .get(pk=concern.pk)
        )
        if not concern_follower(actor, locked):
            raise DomainError(_("You don't follow this concern."))
        if locked.status != Concern.Status.OPEN:
            raise DomainError(
                _("Concern %(number)s is already decided.") % {"number": locked.pk},
                code=ALREADY_DECIDED,
            )
        suspended = []
        if outcome == Concern.Outcome.SUSPENSION:
            suspended = _suspend(locked, actor=actor, note=text)
        locked.status = Concern.Status.DECIDED
        locked.outcome = outcome
        locked.outcome_text = text
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["status", "outcome", "outcome_text", "decided_at", "decided_by"])
        ConcernEntry.objects.create(
            concern=locked, kind=ConcernEntry.Kind.OUTCOME, author=actor, text=text
        )
        audit_log(
            actor=actor,
            action=f"resellers.concern.{outcome}",
            obj=locked,
            data={"suspended": suspended},
        )
        transaction.on_commit(lambda: _enqueue("concern_decided_notify", locked.pk))
    concern.refresh_from_db()
    return concern


def _suspend(concern: Concern, *, actor, note: str) -> list[int]:
    if concern.kind != Concern.Kind.USE or concern.member_id is None:
        raise DomainError(
            _("Only a member's use can lead to a suspension, and this concern names no member."),
            field="outcome",
        )
    memberships = Membership.objects.filter(
        member=concern.member, ended_on__isnull=True, steward_id=concern.followed_by_id
    ).exclude(status=Membership.Status.SUSPENDED)
    suspended = []
    for membership in memberships.order_by("pk"):
        membership_status_set(
            membership=membership, status=Membership.Status.SUSPENDED, actor=actor, note=note
        )
        suspended.append(membership.pk)
    if not suspended:
        raise DomainError(
            _("This member has no open membership that can be suspended."), field="outcome"
        )
    return suspended


def _enqueue(task_name: str, concern_id: int) -> None:
    from .. import tasks

    getattr(tasks, task_name).delay(concern_id)


# --- emails ----------------------------------------------------------------------------------


def concern_opened_notify(*, concern_id: int) -> bool:
    """Tell the person concerned a concern about them was opened (not who raised it). Once."""
    return _notify(concern_id, field="opened_notified_at", template="concern_opened")


def concern_decided_notify(*, concern_id: int) -> bool:
    """Tell the person concerned the outcome. Once."""
    return _notify(concern_id, field="decided_notified_at", template="concern_decided")


def _notify(concern_id: int, *, field: str, template: str) -> bool:
    """Marked sent in a short transaction, sent after it commits (as applications' emails)."""
    with transaction.atomic():
        concern = (
            Concern.objects.select_for_update(of=("self",))
            .select_related("steward", "member")
            .filter(pk=concern_id)
            .first()
        )
        if concern is None or getattr(concern, field):
            return False
        if template == "concern_decided" and concern.status != Concern.Status.DECIDED:
            return False
        setattr(concern, field, timezone.now())
        concern.save(update_fields=[field])
        recipients = concern_recipients(concern)
    context = {
        "concern": concern,
        "url": absolute_url("concerns:detail", args=[concern.pk]),
    }
    for email, language in recipients:
        try:
            send_templated_email(
                template=f"resellers/email/{template}", to=email, language=language, context=context
            )
        except Exception:  # one unreachable address must not stop the others
            logger.exception("Email %s to %s was not sent.", template, email)
    return True
