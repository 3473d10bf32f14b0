import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from governance import services, tasks
from governance.models import Proposal, Voter
from tests.factories import GovernanceDocumentFactory, ProposalFactory, voting_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_proposal(author):
    member, user = voting_member()
    now = timezone.now()
    proposal = services.proposal_open(
        proposal=ProposalFactory(author=author),
        closes_at=now + datetime.timedelta(hours=1),
        actor=author,
        now=now,
    )
    services.stance_cast(
        proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=now
    )
    return proposal, user


def test_admin_close_button_closes_only_a_due_proposal(client, author, due_proposal):
    proposal, _user = due_proposal
    client.force_login(author)
    close_url = reverse("admin:governance_proposal_close", args=[proposal.pk])
    change_url = reverse("admin:governance_proposal_change", args=[proposal.pk])
    assert "Close now" not in client.get(change_url).content.decode()
    client.post(close_url)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN  # not due yet: refused with a message
    with freeze_time(proposal.closes_at + datetime.timedelta(minutes=1)):
        assert "Close now" in client.get(change_url).content.decode()
        client.post(close_url)
        client.post(close_url)
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.ADOPTED


def test_admin_close_action(client, author, due_proposal):
    proposal, _user = due_proposal
    client.force_login(author)
    with freeze_time(proposal.closes_at + datetime.timedelta(minutes=1)):
        response = client.post(
            reverse("admin:governance_proposal_changelist"),
            {"action": "close_selected", "_selected_action": [proposal.pk]},
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CLOSED


def test_admin_refuses_to_edit_an_open_proposals_text(client, author, due_proposal):
    proposal, _user = due_proposal
    client.force_login(author)
    page = client.get(reverse("admin:governance_proposal_change", args=[proposal.pk]))
    assert 'name="text"' not in page.content.decode()


def test_an_admin_list_of_governance_models_opens(client, author, due_proposal):
    client.force_login(author)
    for model in ["proposal", "meeting", "governancedocument", "documentversion", "stancerecord"]:
        assert client.get(reverse(f"admin:governance_{model}_changelist")).status_code == 200


def test_periodic_tasks_run_twice_safely(due_proposal):
    proposal, _user = due_proposal
    with freeze_time(proposal.closes_at + datetime.timedelta(minutes=1)):
        assert tasks.close_due_proposals() == 1
        assert tasks.close_due_proposals() == 0

    # A proposal closing tomorrow with a voter who has not voted: reminded once.
    ((_member, _u),) = [voting_member()]
    reminded = services.proposal_open(
        proposal=ProposalFactory(),
        closes_at=proposal.closes_at + datetime.timedelta(days=3),
        actor=None,
        now=proposal.closes_at + datetime.timedelta(days=1),
    )
    with freeze_time(reminded.closes_at - datetime.timedelta(hours=2)):
        assert tasks.send_closing_reminders() >= 1
        assert tasks.send_closing_reminders() == 0


def test_with_no_worker_the_first_reader_after_the_closing_time_records_the_outcome(
    client, due_proposal
):
    from meetcoop.core.models import AuditEntry

    proposal, user = due_proposal
    client.force_login(user)
    url = reverse("governance:proposal_detail", args=[proposal.pk])
    assert "Record my stance" in client.get(url).content.decode()
    with freeze_time(proposal.closes_at + datetime.timedelta(minutes=1)):
        page = client.get(url).content.decode()
        again = client.get(url).content.decode()
    assert "Record my stance" not in page
    assert '<p id="proposal-outcome"><strong>adopted</strong>' in page
    assert "being recorded" not in page
    proposal.refresh_from_db()
    assert (proposal.status, proposal.outcome) == ("closed", "adopted")
    assert proposal.closed_at == proposal.closes_at + datetime.timedelta(minutes=1)
    assert AuditEntry.objects.filter(action="governance.proposal.closed").count() == 1
    assert 'id="proposal-outcome"' in again  # the second reader changes nothing


def test_the_list_records_the_outcomes_due(client, due_proposal):
    proposal, user = due_proposal
    client.force_login(user)
    with freeze_time(proposal.closes_at + datetime.timedelta(minutes=1)):
        assert client.get(reverse("governance:proposal_list")).status_code == 200
    proposal.refresh_from_db()
    assert proposal.outcome == "adopted"


def test_a_proposal_that_cannot_close_still_reads_closed_and_waits_for_a_person(
    client, due_proposal
):
    proposal, user = due_proposal
    Proposal.objects.filter(pk=proposal.pk).update(text="Edited behind the services' back.")
    client.force_login(user)
    with freeze_time(proposal.closes_at + datetime.timedelta(minutes=1)):
        response = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Record my stance" not in page
    assert "the outcome is being recorded" in page
    proposal.refresh_from_db()
    assert proposal.status == "open"


def test_proposal_page_shows_the_diff_and_the_outdated_notice(client, author):
    member, user = voting_member()
    document = GovernanceDocumentFactory(slug="fair-use")
    now = timezone.now()
    proposals = []
    for text in ["Be fair.\nClose idle rooms.", "Be fair.\nBook big events early."]:
        proposal = services.proposal_open(
            proposal=ProposalFactory(author=author, document=document, new_text=text),
            closes_at=now + datetime.timedelta(hours=1),
            actor=author,
            now=now,
        )
        services.stance_cast(
            proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=now
        )
        proposals.append(proposal)
    client.force_login(user)
    page = client.get(reverse("governance:proposal_detail", args=[proposals[1].pk])).content
    assert "<ins>Book big events early.</ins>" in page.decode()
    services.proposal_close(
        proposal=proposals[0], actor=None, now=now + datetime.timedelta(hours=2)
    )
    page = client.get(reverse("governance:proposal_detail", args=[proposals[1].pk])).content
    page = page.decode()
    assert "Based on an outdated version." in page
    response = client.post(reverse("governance:proposal_repropose", args=[proposals[1].pk]))
    draft = Proposal.objects.get(status=Proposal.Status.DRAFT)
    assert response.url == reverse("governance:proposal_detail", args=[draft.pk])
    page = client.get(response.url).content.decode()
    assert "<del>Close idle rooms.</del>" in page

    doc_page = client.get(reverse("governance:document_detail", args=["fair-use"])).content
    assert "Close idle rooms." in doc_page.decode()
    version_page = client.get(reverse("governance:document_version", args=["fair-use", 1]))
    assert version_page.status_code == 200
    assert "<ins>Close idle rooms.</ins>" in version_page.content.decode()
