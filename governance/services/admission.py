"""Writes of the admission of operational members: the Permanent Assembly proposal that admits
an applicant (its outcome reaches resellers through ``admission_decided`` when it closes)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log

from ..models import Proposal
from .proposals import proposal_open, proposal_title

# How long an admission proposal stays open (not a DOMAIN policy value; a deployment setting).
ADMISSION_VOTING_DAYS_DEFAULT = 7


def admission_proposal_open(
    *, application_id: int, applicant: str, statement: str, actor, now=None
) -> Proposal:
    """Open the Permanent Assembly proposal that admits an operational applicant (all members
    with voting rights decide). Called by the applications flow after a steward approves an
    operational application, with that application locked; calling it again returns the
    proposal already opened. When it closes, ``admission_decided`` tells the applications
    flow the outcome."""
    now = now or timezone.now()
    text = _(
        "Admit %(name)s as an operational member of the co-op.\n\n"
        "Their steward has approved the application. Why they want to join:\n\n%(statement)s"
    ) % {"name": applicant, "statement": statement or _("(no statement given)")}
    days = getattr(settings, "GOVERNANCE_ADMISSION_VOTING_DAYS", ADMISSION_VOTING_DAYS_DEFAULT)
    with transaction.atomic():
        existing = Proposal.objects.filter(admission_application_id=application_id).first()
        if existing is not None:
            return existing
        proposal = Proposal(
            # A long organisation and contact name are cut to the title's length (the text
            # below names them whole).
            title=proposal_title(_("Admission of %(name)s") % {"name": applicant}),
            text=text,
            electorate=Proposal.Electorate.ALL,
            admission_application_id=application_id,
            author=actor if getattr(actor, "pk", None) else None,
        )
        proposal.full_clean()
        proposal.save()
        audit_log(
            actor=actor,
            action="governance.proposal.created",
            obj=proposal,
            data={"admission_application": application_id},
        )
        return proposal_open(
            proposal=proposal, closes_at=now + datetime.timedelta(days=days), actor=actor, now=now
        )
