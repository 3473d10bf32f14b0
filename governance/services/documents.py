"""Writes of governance documents: creating one, changing its settings (public, membership
page, responsible circle, who decides a change), and adopting a closed proposal's text as its
next version."""

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.locks import lock_until_commit
from membership.services import terms_version_adopted

from ..models import DocumentVersion, GovernanceDocument, Proposal


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    if document.members_accept:
        # The Terms of Use (or Fair Use Agreement) members accept: the adopted text is their
        # next version, published now; members get the acceptance period from today.
        terms_version_adopted(
            document=document.members_accept,
            number=number,
            text=proposal.new_text,
            proposal_id=proposal.pk,
            published_at=now,
        )
    return version


SETTINGS_FIELDS = (
    "title",
    "slug",
    "public",
    "membership_page",
    "responsible_circle",
    "decided_by",
    "members_accept",
)


def document_create(
    *,
    title: str,
    slug: str,
    actor,
    public: bool = False,
    membership_page: bool = False,
    responsible_circle=None,
    decided_by: str = GovernanceDocument.DecidedBy.ASSEMBLY,
    members_accept: str = "",
) -> GovernanceDocument:
    """An empty document: its first text, like every later one, comes from an adopted
    proposal."""
    with transaction.atomic():
        document = GovernanceDocument(
            title=title,
            slug=slug,
            public=public,
            membership_page=membership_page,
            responsible_circle=responsible_circle,
            decided_by=decided_by,
            members_accept=members_accept,
        )
        if membership_page:
            # As in ``document_settings_set``: two designations at once queue, never a 500.
            lock_until_commit("governance.membership_page")
            _release_membership_page(exclude=None, actor=actor)
        document.full_clean()
        document.save()
        audit_log(
            actor=actor,
            action="governance.document.created",
            obj=document,
            data=_settings_data(document),
        )
    return document


def _settings_data(document) -> dict:
    return {
        "title": document.title,
        "slug": document.slug,
        "public": document.public,
        "membership_page": document.membership_page,
        "responsible_circle": document.responsible_circle_id,
        "decided_by": document.decided_by,
        "members_accept": document.members_accept,
    }


def _release_membership_page(*, exclude, actor):
    """Only one document is the membership page: designating another one releases it."""
    others = GovernanceDocument.objects.select_for_update().filter(membership_page=True)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        other.membership_page = False
        other.save(update_fields=["membership_page"])
        audit_log(
            actor=actor,
            action="governance.document.settings_changed",
            obj=other,
            data={"membership_page": [True, False]},
        )


def document_settings_set(*, document: GovernanceDocument, actor, **changes) -> GovernanceDocument:
    """Change a document's title, slug and settings (public, membership page, responsible
    circle, who decides). Never its text: that only comes from an adopted proposal. The audit
    entry keeps each changed value as [before, after]; nothing changed writes nothing."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(_("These can't be changed here: %(f)s.") % {"f": ", ".join(unknown)})
    with transaction.atomic():
        document = GovernanceDocument.objects.select_for_update().get(pk=document.pk)
        before = _settings_data(document)
        for field, value in changes.items():
            setattr(document, field, value)
        after = _settings_data(document)
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if not changed:
            return document
        if document.membership_page and not before["membership_page"]:
            # Two admins designating two documents at once: one after the other, the second
            # releasing the first's (one membership page at most), never a 500.
            lock_until_commit("governance.membership_page")
            _release_membership_page(exclude=document, actor=actor)
        document.full_clean()
        document.save(update_fields=[f for f in SETTINGS_FIELDS if f in changes])
        audit_log(
            actor=actor,
            action="governance.document.settings_changed",
            obj=document,
            data=changed,
        )
    return document


def document_electorate(document: GovernanceDocument) -> tuple[str, int | None]:
    """The electorate a proposal to change ``document`` gets: (electorate, circle id)."""
    if document.decided_by == GovernanceDocument.DecidedBy.CIRCLE:
        return Proposal.Electorate.CIRCLE, document.responsible_circle_id
    return Proposal.Electorate.ALL, None
