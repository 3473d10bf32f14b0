"""Celery tasks: thin wrappers that take ids and call a service or send mail."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from meetcoop.core.mail import absolute_url, send_templated_email

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


def _send(voters, template: str, proposal: Proposal) -> int:
    """One email per member of ``voters``, each in its member's language, all in one session
    with the mail server."""
    voters = list(voters)
    if not voters:
        return 0
    url = absolute_url("governance:proposal_detail", args=[proposal.pk])
    tally = selectors.proposal_tally(proposal)
    sent = 0
    with get_connection() as connection:
        for voter in voters:
            member = voter.member
            sent += send_templated_email(
                template=f"governance/email/{template}",
                to=member.email,
                language=member.language or settings.LANGUAGE_CODE,
                context={"member": member, "proposal": proposal, "tally": tally, "url": url},
                connection=connection,
            )
    return sent


@shared_task
def send_proposal_opened(proposal_id: int) -> int:
    proposal = Proposal.objects.get(pk=proposal_id)
    voters = proposal.voters.select_related("member").order_by("pk")
    return _send(voters, "opened", proposal)


@shared_task
def send_closing_reminders_to(voter_ids: list[int]) -> int:
    sent = 0
    voters = Voter.objects.filter(pk__in=voter_ids, stance="").select_related("member", "proposal")
    by_proposal: dict[int, list[Voter]] = {}
    for voter in voters:
        by_proposal.setdefault(voter.proposal_id, []).append(voter)
    for group in by_proposal.values():
        sent += _send(group, "reminder", group[0].proposal)
    return sent


@shared_task
def send_proposal_outcome(proposal_id: int) -> int:
    proposal = Proposal.objects.get(pk=proposal_id)
    voters = proposal.voters.select_related("member").order_by("pk")
    return _send(voters, "outcome", proposal)
