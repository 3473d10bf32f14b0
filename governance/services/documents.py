"""Writes of governance documents: creating one, and adopting a closed proposal's text as its
next version."""

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError

from ..models import DocumentVersion, GovernanceDocument, Proposal


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_create(*, title: str, slug: str, actor) -> GovernanceDocument:
    """An empty document: its first text, like every later one, comes from an adopted
    proposal."""
    with transaction.atomic():
        document = GovernanceDocument(title=title, slug=slug)
        document.full_clean()
        document.save()
        audit_log(actor=actor, action="governance.document.created", obj=document)
    return document


def _adopt_document_text(proposal: Proposal, document: GovernanceDocument, *, now):
    """Make the proposal's new text the document's current version (caller holds the lock)."""
    if document.current_version_id != proposal.base_version_id:  # checked by outcome_for too
        raise DomainError(_("This proposal is based on an outdated version."))
    number = (document.current_version.number if document.current_version_id else 0) + 1
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        text=proposal.new_text,
        text_sha256=sha256(proposal.new_text),
        proposal=proposal,
        adopted_at=now,
    )
    document.current_version = version
    document.save(update_fields=["current_version"])
    audit_log(
        actor=None,
        action="governance.document.version_adopted",
        obj=document,
        data={"version": number, "proposal": proposal.pk},
    )
    return version
