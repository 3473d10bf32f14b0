"""Attacks on the proposal admin: a "Save" pressed on a proposal's page while the proposal is
opened or closed elsewhere must never undo that (the admin loads the row, another
transaction commits, the admin writes what it loaded)."""

import datetime

import pytest
from django.urls import reverse

from governance import services
from governance.admin import ProposalAdmin
from governance.models import DocumentVersion, GovernanceDocument, Proposal
from tests.factories import GovernanceDocumentFactory, ProposalFactory

from .conftest import AFTER, CLOSES, NOW

pytestmark = pytest.mark.django_db


def _inline_management(client, url) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    return {
        f"{inline.formset.prefix}-{name}": value
        for inline in page.context["inline_admin_formsets"]
        for name, value in [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0")]
    }


def _meanwhile(monkeypatch, action):
    """Run ``action`` (another transaction's commit) after the admin loaded the row for a
    POST, before it writes: the window of a real race, made deterministic."""
    original = ProposalAdmin.get_object

    def get_object(self, request, object_id, from_field=None):
        obj = original(self, request, object_id, from_field)
        if request.method == "POST" and obj is not None:
            action(obj)
        return obj

    monkeypatch.setattr(ProposalAdmin, "get_object", get_object)


def test_saving_an_open_proposals_page_while_it_closes_keeps_the_outcome(
    client, author, make_voters, open_proposal, monkeypatch
):
    document = GovernanceDocumentFactory()
    (member, user), *_ = make_voters(2)
    proposal = open_proposal(document=document, new_text="Article 1.")
    services.stance_cast(proposal=proposal, member=member, stance="agree", actor=user, now=NOW)
    url = reverse("admin:governance_proposal_change", args=[proposal.pk])
    client.force_login(author)
    data = _inline_management(client, url)
    _meanwhile(
        monkeypatch,
        lambda obj: services.proposal_close(proposal=Proposal(pk=obj.pk), actor=None, now=AFTER),
    )

    response = client.post(url, data)

    assert response.status_code in (200, 302)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.outcome, proposal.agree_count) == ("closed", "adopted", 1)
    document = GovernanceDocument.objects.get(pk=document.pk)
    assert document.current_version.proposal_id == proposal.pk
    assert not services.proposal_close_if_due(proposal=proposal, now=AFTER)
    proposal.refresh_from_db()
    assert proposal.outcome == "adopted"


def test_editing_a_draft_in_the_admin_while_it_opens_does_not_unfreeze_it(
    client, author, make_voters, monkeypatch
):
    make_voters(2)
    proposal = ProposalFactory(author=author, closes_at=CLOSES)
    url = reverse("admin:governance_proposal_change", args=[proposal.pk])
    client.force_login(author)
    data = {
        **_inline_management(client, url),
        "title": "A new title",
        "text": "A different text, after it opened.",
        "electorate": "all",
        "quorum_percent": "0",
        "closes_at_0": "2100-01-01",
        "closes_at_1": "12:00:00",
    }
    _meanwhile(
        monkeypatch,
        lambda obj: services.proposal_open(
            proposal=Proposal(pk=obj.pk), closes_at=CLOSES, actor=author, now=NOW
        ),
    )

    response = client.post(url, data)

    assert response.status_code == 200  # the form says why, nothing is written
    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert proposal.text == "We should do the thing."
    assert proposal.closes_at == CLOSES
    assert proposal.content_sha256 == services.proposal_content_sha256(proposal)


def test_a_draft_is_still_edited_in_the_admin_and_audited(client, author):
    from meetcoop.core.models import AuditEntry

    proposal = ProposalFactory(author=author)
    url = reverse("admin:governance_proposal_change", args=[proposal.pk])
    client.force_login(author)
    response = client.post(
        url,
        {
            **_inline_management(client, url),
            "title": "Better title",
            "text": "Better text.",
            "electorate": "operational",
            "quorum_percent": "10",
            "closes_at_0": "2100-01-01",
            "closes_at_1": "12:00:00",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.text, proposal.electorate, proposal.status) == (
        "Better title",
        "Better text.",
        "operational",
        "draft",
    )
    assert proposal.closes_at == datetime.datetime(2100, 1, 1, 12, tzinfo=datetime.UTC)
    assert AuditEntry.objects.filter(object_id=str(proposal.pk), actor=author).exists()


def test_an_open_proposals_page_saved_in_the_admin_changes_nothing(
    client, author, make_voters, open_proposal
):
    make_voters(1)
    proposal = open_proposal()
    before = Proposal.objects.filter(pk=proposal.pk).values().get()
    url = reverse("admin:governance_proposal_change", args=[proposal.pk])
    client.force_login(author)
    response = client.post(
        url,
        {
            **_inline_management(client, url),
            "title": "Crafted",
            "text": "Crafted text.",
            "status": "draft",
            "outcome": "adopted",
            "closes_at_0": "2100-01-01",
            "closes_at_1": "12:00:00",
        },
    )
    assert response.status_code in (200, 302)
    assert Proposal.objects.filter(pk=proposal.pk).values().get() == before


def test_a_document_version_can_not_be_changed_or_deleted_in_the_admin(
    client, author, make_voters, open_proposal
):
    ((member, user),) = make_voters(1)
    document = GovernanceDocumentFactory()
    proposal = open_proposal(document=document, new_text="Article 1.")
    services.stance_cast(proposal=proposal, member=member, stance="agree", actor=user, now=NOW)
    services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    version = DocumentVersion.objects.get(document=document)
    client.force_login(author)
    change = reverse("admin:governance_documentversion_change", args=[version.pk])
    assert client.post(change, {"text": "Edited in place."}).status_code == 403
    delete = reverse("admin:governance_documentversion_delete", args=[version.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    doc_url = reverse("admin:governance_governancedocument_change", args=[document.pk])
    data = _inline_management(client, doc_url)
    client.post(
        doc_url,
        {
            **data,
            "title": document.title,
            "slug": document.slug,
            "decided_by": "assembly",
            "current_version": "",
        },
    )
    version.refresh_from_db()
    document.refresh_from_db()
    assert version.text == "Article 1."
    assert document.current_version_id == version.pk


def test_deleting_a_draft_in_the_admin_while_it_opens_keeps_the_proposal(
    client, author, make_voters, monkeypatch
):
    make_voters(2)
    proposal = ProposalFactory(author=author)
    url = reverse("admin:governance_proposal_delete", args=[proposal.pk])
    client.force_login(author)
    assert client.get(url).status_code == 200  # a draft may go
    _meanwhile(
        monkeypatch,
        lambda obj: services.proposal_open(
            proposal=Proposal(pk=obj.pk), closes_at=CLOSES, actor=author, now=NOW
        ),
    )

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 403
    # The refusal rolls back the request's transaction, which here (one connection) holds
    # the simulated opening too; what matters is that the proposal was not deleted.
    assert Proposal.objects.filter(pk=proposal.pk).exists()


def test_a_draft_deleted_in_the_admin_is_gone_and_audited(client, author):
    from meetcoop.core.models import AuditEntry

    proposal = ProposalFactory(author=author)
    client.force_login(author)
    response = client.post(
        reverse("admin:governance_proposal_delete", args=[proposal.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Proposal.objects.filter(pk=proposal.pk).exists()
    assert AuditEntry.objects.filter(
        action="governance.proposal.deleted", object_id=str(proposal.pk), actor=author
    ).exists()


def test_a_draft_edited_in_the_admin_keeps_its_documents_rule(client, author):
    from tests.factories import CircleFactory

    circle = CircleFactory()
    document = GovernanceDocumentFactory(responsible_circle=circle, decided_by="circle")
    proposal = services.proposal_create(
        title="Change", text="Why.", document=document, new_text="New.", actor=author
    )
    url = reverse("admin:governance_proposal_change", args=[proposal.pk])
    client.force_login(author)
    response = client.post(
        url,
        {
            **_inline_management(client, url),
            "title": "Change",
            "text": "Why.",
            "electorate": "all",
            "quorum_percent": "0",
            "document": document.pk,
            "new_text": "New.",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["electorate"]
    proposal.refresh_from_db()
    assert (proposal.electorate, proposal.circle_id) == ("circle", circle.pk)
