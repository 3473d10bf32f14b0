"""Celery tasks: thin wrappers that take ids and call a service or send mail."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from meetcoop.core.mail import absolute_url, send_once_each, send_templated_email

from . import selectors, services
from .models import Proposal, Voter

logger = logging.getLogger(__name__)


@shared_task
def close_proposal(proposal_id: int) -> str:
    """Scheduled at the closing time. A no-op when it is early or the proposal is closed."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return "missing"
    now = timezone.now()
    if not selectors.proposal_is_due(proposal, now):
        return proposal.status
    services.proposal_close(proposal=proposal, actor=None, now=now)
    return "closed"


@shared_task
def close_due_proposals() -> int:
    """Periodic: close whatever is due (covers a lost scheduled task)."""
    return services.close_due_proposals(now=timezone.now())


@shared_task
def send_closing_reminders() -> int:
    """Periodic: remind, once, the members who have not voted a day before closing."""
    return services.closing_reminders_send(now=timezone.now())


def _send(voters, template: str, mark: str) -> int:
    """One email to each member of ``voters`` not written to yet (``mark``), each in its
    member's language. Safe to run twice, or twice at once: each voter is written to once."""
    about: dict[int, tuple[dict, str]] = {}  # each proposal's tally and link, read once

    def send(voter: Voter, connection) -> int:
        proposal, member = voter.proposal, voter.member
        if proposal.pk not in about:
            about[proposal.pk] = (
                selectors.proposal_tally(proposal),
                absolute_url("governance:proposal_detail", args=[proposal.pk]),
            )
        tally, url = about[proposal.pk]
        return send_templated_email(
            template=f"governance/email/{template}",
            to=member.email,
            language=member.language or settings.LANGUAGE_CODE,
            context={"member": member, "proposal": proposal, "tally": tally, "url": url},
            connection=connection,
        )

    return send_once_each(voters.select_related("member", "proposal"), mark=mark, send=send)


@shared_task
def send_proposal_opened(proposal_id: int) -> int:
    return _send(Voter.objects.filter(proposal_id=proposal_id), "opened", "opened_emailed_at")


@shared_task
def send_closing_reminders_to(voter_ids: list[int]) -> int:
    """The reminders claimed by ``closing_reminders_send``, to those who still have no stance
    on a proposal still open (a task run late, or again, after the closing writes nothing)."""
    voters = selectors.voters_to_remind(voter_ids, now=timezone.now())
    return _send(voters, "reminder", "reminder_emailed_at")


@shared_task
def send_proposal_outcome(proposal_id: int) -> int:
    return _send(Voter.objects.filter(proposal_id=proposal_id), "outcome", "outcome_emailed_at")
