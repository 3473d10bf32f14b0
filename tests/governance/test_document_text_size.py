"""A proposal's text and a document's new text have a ceiling: every page that shows them
renders the Markdown and diffs it against the current version, so a text of megabytes would
make those pages slow for everyone who opens them."""

import pytest
from django.urls import reverse

from governance.models import DOCUMENT_TEXT_MAX, Proposal
from tests.factories import GovernanceDocumentFactory, voting_member

pytestmark = pytest.mark.django_db


def post(client, **fields):
    data = {"title": "A long one", "text": "Why.", "electorate": "all", "quorum_percent": "0"}
    data.update(fields)
    return client.post(reverse("governance:proposal_create"), data)


@pytest.mark.parametrize("field", ["text", "new_text"])
def test_a_text_longer_than_the_ceiling_is_a_form_error(client, field):
    document = GovernanceDocumentFactory()
    _member, user = voting_member()
    client.force_login(user)
    fields = {"document": document.pk, "new_text": "New."}
    fields[field] = "a" * (DOCUMENT_TEXT_MAX + 1)
    response = post(client, **fields)
    assert response.status_code == 400
    assert f"at most {DOCUMENT_TEXT_MAX} characters" in str(response.context["form"].errors[field])
    assert not Proposal.objects.filter(title="A long one").exists()


def test_a_text_at_the_ceiling_is_kept(client):
    document = GovernanceDocumentFactory()
    _member, user = voting_member()
    client.force_login(user)
    response = post(client, document=document.pk, new_text="b" * DOCUMENT_TEXT_MAX)
    assert response.status_code == 302
    assert len(Proposal.objects.get(title="A long one").new_text) == DOCUMENT_TEXT_MAX
