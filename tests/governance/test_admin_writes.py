"""The governance admin adds through the services (audited), and its actions show a service's
refusal as a message."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from governance.models import Circle, GovernanceDocument, Meeting, Proposal
from meetcoop.core.models import AuditEntry
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def management_forms(client, url) -> dict:
    """The (empty) management forms of the add page's read-only inlines."""
    page = client.get(url)
    return {
        f"{inline.formset.prefix}-{name}": value
        for inline in page.context["inline_admin_formsets"]
        for name, value in [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0")]
    }


def add(client, model, data):
    url = reverse(f"admin:governance_{model}_add")
    response = client.post(url, {**management_forms(client, url), **data})
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_a_circle_added_in_the_admin_is_audited(client, author):
    client.force_login(author)
    add(client, "circle", {"name": "Tech", "slug": "tech", "purpose": "Servers."})
    circle = Circle.objects.get(slug="tech")
    entry = AuditEntry.objects.get(action="governance.circle.created")
    assert (entry.actor, entry.object_id) == (author, str(circle.pk))


def test_a_meeting_added_in_the_admin_is_audited(client, author):
    client.force_login(author)
    add(client, "meeting", {"kind": "all_hands", "title": "AHM", "held_on": "2026-06-01"})
    meeting = Meeting.objects.get(title="AHM")
    entry = AuditEntry.objects.get(action="governance.meeting.created")
    assert (entry.actor, entry.object_id) == (author, str(meeting.pk))


def test_a_circle_meeting_without_its_circle_is_a_form_error(client, author):
    client.force_login(author)
    url = reverse("admin:governance_meeting_add")
    response = client.post(
        url,
        {
            **management_forms(client, url),
            "kind": "circle",
            "title": "Tech sync",
            "held_on": "2026-06-01",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Meeting.objects.exists()
    assert not AuditEntry.objects.filter(action="governance.meeting.created").exists()


def test_a_proposal_and_a_document_added_in_the_admin_are_audited(client, author):
    client.force_login(author)
    add(
        client,
        "governancedocument",
        {"title": "Bylaws", "slug": "bylaws", "decided_by": "assembly"},
    )
    document = GovernanceDocument.objects.get(slug="bylaws")
    add(
        client,
        "proposal",
        {
            "title": "Adopt the bylaws",
            "text": "As attached.",
            "electorate": "all",
            "quorum_percent": "0",
            "document": document.pk,
            "new_text": "Article 1.",
            "closes_at_0": "2100-01-01",
            "closes_at_1": "12:00:00",
        },
    )
    proposal = Proposal.objects.get(title="Adopt the bylaws")
    assert (proposal.author, proposal.status, proposal.document) == (author, "draft", document)
    assert proposal.closes_at is not None
    assert AuditEntry.objects.filter(
        action="governance.document.created", actor=author, object_id=str(document.pk)
    ).exists()
    assert AuditEntry.objects.filter(
        action="governance.proposal.created", actor=author, object_id=str(proposal.pk)
    ).exists()


def test_opening_a_proposal_nobody_can_vote_on_shows_the_reason(client, author):
    proposal = ProposalFactory(
        author=author, closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    )
    client.force_login(author)
    response = client.post(
        reverse("admin:governance_proposal_changelist"),
        {"action": "open_selected", "_selected_action": [proposal.pk]},
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"{proposal}: Nobody is in this electorate: the proposal can't open." in texts
    proposal.refresh_from_db()
    assert proposal.status == "draft"
