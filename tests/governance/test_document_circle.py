"""Issue 14, point 7: a document names its responsible circle and who decides a change to it;
a proposal to change it gets that electorate."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance import services
from governance.models import GovernanceDocument, Proposal
from meetcoop.core.audit import AuditEntry
from meetcoop.core.errors import DomainError
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    GovernanceDocumentFactory,
    ProposalFactory,
    voting_member,
)
from tests.governance.conftest import CLOSES, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle():
    return CircleFactory(name="Membership circle", slug="membership-circle")


@pytest.fixture
def circle_document(circle):
    return GovernanceDocumentFactory(
        title="Membership policy",
        responsible_circle=circle,
        decided_by=GovernanceDocument.DecidedBy.CIRCLE,
    )


def seated(circle):
    member, user = voting_member()
    CircleRoleFactory(circle=circle, member=member)
    return member, user


def test_a_change_to_a_circle_document_gets_the_circles_electorate(author, circle, circle_document):
    proposal = services.proposal_create(
        title="Allow hours", text="Why.", document=circle_document, new_text="New.", actor=author
    )
    assert (proposal.electorate, proposal.circle) == (Proposal.Electorate.CIRCLE, circle)


def test_its_electorate_is_the_circles_seated_active_members(author, circle, circle_document):
    insiders = [seated(circle)[0] for _ in range(2)]
    voting_member()  # active, not seated: not in the electorate
    lapsed, _user = voting_member(status="lapsed")
    CircleRoleFactory(circle=circle, member=lapsed)
    proposal = services.proposal_create(
        title="Allow hours", text="Why.", document=circle_document, new_text="New.", actor=author
    )
    proposal = services.proposal_open(proposal=proposal, closes_at=CLOSES, actor=author, now=NOW)
    assert set(proposal.voters.values_list("member", flat=True)) == {m.pk for m in insiders}


@pytest.mark.parametrize("electorate", ["all", "operational"])
def test_another_electorate_is_refused_where_the_circle_decides(
    author, circle_document, electorate
):
    with pytest.raises(DomainError) as error:
        services.proposal_create(
            title="x",
            text="x",
            electorate=electorate,
            document=circle_document,
            new_text="New.",
            actor=author,
        )
    assert "decided by its responsible circle, Membership circle" in str(
        error.value.message_dict["electorate"]
    )


def test_another_circle_is_refused_where_the_circle_decides(author, circle_document):
    with pytest.raises(DomainError):
        services.proposal_create(
            title="x",
            text="x",
            electorate="circle",
            circle=CircleFactory(),
            document=circle_document,
            new_text="New.",
            actor=author,
        )


def test_a_circle_is_refused_where_the_whole_assembly_decides(author, circle):
    document = GovernanceDocumentFactory(responsible_circle=circle)  # decided by the Assembly
    with pytest.raises(DomainError) as error:
        services.proposal_create(
            title="x",
            text="x",
            electorate="circle",
            circle=circle,
            document=document,
            new_text="New.",
            actor=author,
        )
    assert "whole Assembly" in str(error.value.message_dict["electorate"])
    # The Assembly's electorates are accepted; with none given, all members with voting rights.
    for electorate, expected in (("operational", "operational"), (None, "all")):
        proposal = services.proposal_create(
            title="x",
            text="x",
            electorate=electorate,
            document=document,
            new_text="New.",
            actor=author,
        )
        assert (proposal.electorate, proposal.circle) == (expected, None)


def test_the_rule_in_force_when_it_opens_wins_over_the_draft(author, circle, circle_document):
    insider, _user = seated(circle)
    voting_member()
    # A draft written before the document named its circle (or written around the service).
    draft = ProposalFactory(electorate="all", document=circle_document, new_text="New.")
    proposal = services.proposal_open(proposal=draft, closes_at=CLOSES, actor=author, now=NOW)
    assert (proposal.electorate, proposal.circle) == (Proposal.Electorate.CIRCLE, circle)
    assert list(proposal.voters.values_list("member", flat=True)) == [insider.pk]
    entry = AuditEntry.objects.get(action="governance.proposal.opened", object_id=str(draft.pk))
    assert entry.data["electorate_from_document"] is True
    assert services.proposal_content_sha256(proposal) == proposal.content_sha256


def test_a_circle_document_needs_its_circle():
    document = GovernanceDocumentFactory()
    with pytest.raises(ValidationError):  # from the model's clean()
        services.document_settings_set(document=document, decided_by="circle", actor=None)


def test_the_document_page_says_which_circle_is_responsible_and_who_decides(
    client, circle_document
):
    _member, user = voting_member()
    client.force_login(user)
    page = client.get(reverse("governance:document_detail", args=[circle_document.slug]))
    text = page.content.decode()
    assert "Membership circle" in text
    assert "decided by the members of that circle" in text
    other = GovernanceDocumentFactory()
    text = client.get(reverse("governance:document_detail", args=[other.slug])).content.decode()
    assert "No circle is responsible for this document" in text


def test_the_proposal_form_takes_the_documents_electorate(client, circle, circle_document):
    # A member seated in no circle may still propose a change its circle decides.
    _member, user = voting_member()
    client.force_login(user)
    url = reverse("governance:proposal_create")
    form = client.get(url, {"document": circle_document.slug}).context["form"]
    assert (form.initial["electorate"], form.initial["circle"]) == ("circle", circle.pk)
    response = client.post(
        url,
        {
            "title": "Allow hours",
            "text": "Why.",
            "electorate": "circle",
            "circle": circle.pk,
            "quorum_percent": "0",
            "document": circle_document.pk,
            "new_text": "New.",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="Allow hours")
    assert (proposal.electorate, proposal.circle) == ("circle", circle)


def test_the_form_shows_the_refusal_on_the_electorate(client, circle_document):
    _member, user = voting_member()
    client.force_login(user)
    response = client.post(
        reverse("governance:proposal_create"),
        {
            "title": "Allow hours",
            "text": "Why.",
            "electorate": "all",
            "quorum_percent": "0",
            "document": circle_document.pk,
            "new_text": "New.",
        },
    )
    assert response.status_code == 400
    assert "decided by its responsible circle" in str(response.context["form"].errors["electorate"])


def test_a_member_cant_use_a_documents_circle_for_another_proposal(client, circle, circle_document):
    _member, user = voting_member()
    client.force_login(user)
    response = client.post(
        reverse("governance:proposal_create"),
        {
            "title": "Something else",
            "text": "Why.",
            "electorate": "circle",
            "circle": circle.pk,
            "quorum_percent": "0",
        },
    )
    assert response.status_code == 400
    assert "circle" in response.context["form"].errors
    assert not Proposal.objects.filter(title="Something else").exists()
