"""Attacks on who sees a proposal and its tally: members outside its electorate, visitors,
guessed ids and the endpoints behind the page, before and after closing."""

import re

import pytest
from django.urls import reverse
from freezegun import freeze_time

from governance import services
from governance.models import Proposal
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    GovernanceDocumentFactory,
    voting_member,
)

from .conftest import AFTER, NOW

pytestmark = pytest.mark.django_db

SECRET_REASON = "The server budget is secret-7f3a."


@pytest.fixture
def circle_vote(open_proposal):
    """A proposal decided by one circle, with one Block cast; an outsider with voting rights
    who sits in no circle; a member who became active after it opened."""
    circle = CircleFactory()
    inside, inside_user = voting_member()
    CircleRoleFactory(circle=circle, member=inside, started_on=NOW.date())
    _outside, outside_user = voting_member()
    late, late_user = voting_member(status="pending")
    CircleRoleFactory(circle=circle, member=late, started_on=NOW.date())
    document = GovernanceDocumentFactory(
        public=True, responsible_circle=circle, decided_by="circle"
    )
    proposal = open_proposal(
        title="Circle budget secret-title",
        electorate="circle",
        circle=circle,
        document=document,
        new_text="New text.",
    )
    services.stance_cast(
        proposal=proposal,
        member=inside,
        stance="block",
        reason=SECRET_REASON,
        actor=inside_user,
        now=NOW,
    )
    late.memberships.update(status="active")
    return {
        "proposal": proposal,
        "document": document,
        "inside": inside_user,
        "outside": outside_user,
        "late": late_user,
    }


def _pages(proposal):
    return [
        reverse("governance:proposal_detail", args=[proposal.pk]),
        reverse("governance:proposal_list"),
        reverse("governance:document_detail", args=[proposal.document.slug]),
    ]


@pytest.mark.parametrize("when", [NOW, AFTER])
@pytest.mark.parametrize("who", ["outside", "late"])
def test_a_member_outside_the_electorate_never_reads_the_tally(client, circle_vote, when, who):
    proposal = circle_vote["proposal"]
    client.force_login(circle_vote[who])
    with freeze_time(when):
        detail = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
        assert detail.status_code == 404  # as if it did not exist
        for url in _pages(proposal)[1:]:
            page = client.get(url).content.decode()
            assert SECRET_REASON not in page
            assert "secret-title" not in page
        vote = client.post(
            reverse("governance:proposal_vote", args=[proposal.pk]),
            {"stance": "agree"},
        )
        assert vote.status_code == 404
        assert SECRET_REASON not in vote.content.decode()
    proposal.voters.get(stance="block")  # nothing changed


@pytest.mark.parametrize("when", [NOW, AFTER])
def test_the_electorate_reads_the_tally_and_the_reasons(client, circle_vote, when):
    proposal = circle_vote["proposal"]
    client.force_login(circle_vote["inside"])
    with freeze_time(when):
        page = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
    assert page.status_code == 200
    assert SECRET_REASON in page.content.decode()


@pytest.mark.parametrize("when", [NOW, AFTER])
def test_a_visitor_is_sent_to_sign_in_from_every_proposal_url(client, circle_vote, when):
    proposal = circle_vote["proposal"]
    urls = [
        reverse("governance:proposal_detail", args=[proposal.pk]),
        reverse("governance:proposal_vote", args=[proposal.pk]),
        reverse("governance:proposal_open", args=[proposal.pk]),
        reverse("governance:proposal_repropose", args=[proposal.pk]),
        reverse("governance:proposal_list"),
    ]
    with freeze_time(when):
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 302, url
                assert response.url.startswith(reverse("account_login"))
        public = client.get(
            reverse("governance:document_detail", args=[circle_vote["document"].slug])
        ).content.decode()
    assert "secret-title" not in public and SECRET_REASON not in public


def test_a_guessed_id_of_nothing_is_404_and_the_endpoints_answer_no_get(client, circle_vote):
    proposal = circle_vote["proposal"]
    client.force_login(circle_vote["inside"])
    with freeze_time(NOW):
        assert (
            client.get(reverse("governance:proposal_detail", args=[proposal.pk + 1000])).status_code
            == 404
        )
        for name in ("proposal_vote", "proposal_open", "proposal_repropose"):
            response = client.get(reverse(f"governance:{name}", args=[proposal.pk]))
            assert response.status_code == 405
            assert SECRET_REASON not in response.content.decode()


def test_a_member_outside_the_electorate_can_not_open_or_repropose(client, circle_vote):
    proposal = circle_vote["proposal"]
    client.force_login(circle_vote["outside"])
    with freeze_time(NOW):
        for name in ("proposal_open", "proposal_repropose"):
            response = client.post(
                reverse(f"governance:{name}", args=[proposal.pk]),
                {"closes_at": "2026-06-09T12:00"},
            )
            assert response.status_code == 404


def test_the_emails_go_to_the_electorate_only(circle_vote, mailoutbox):
    from governance import tasks

    proposal = circle_vote["proposal"]
    tasks.send_proposal_opened(proposal.pk)
    services.proposal_close(proposal=proposal, actor=None, now=AFTER, notify=False)
    tasks.send_proposal_outcome(proposal.pk)
    recipients = {address for message in mailoutbox for address in message.to}
    inside_email = proposal.voters.get().member.email
    assert recipients == {inside_email}


def test_a_hidden_proposal_answers_as_a_number_no_proposal_has(client, circle_vote):
    """Guessing ids tells nothing: a proposal one may not see answers exactly as a missing
    one, on the page and on every action behind it."""
    proposal = circle_vote["proposal"]
    client.force_login(circle_vote["outside"])
    missing = proposal.pk + 1000
    with freeze_time(NOW):
        for name, method in (
            ("proposal_detail", "get"),
            ("proposal_vote", "post"),
            ("proposal_open", "post"),
            ("proposal_repropose", "post"),
        ):
            urls = [reverse(f"governance:{name}", args=[pk]) for pk in (proposal.pk, missing)]
            hidden, absent = (getattr(client, method)(url) for url in urls)
            assert hidden.status_code == absent.status_code == 404
            # The same page, but for the address asked for and the form's masked token.
            pages = [
                re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", r.content.decode()).replace(
                    u, ""
                )
                for r, u in zip((hidden, absent), urls, strict=True)
            ]
            assert pages[0] == pages[1]


def test_an_author_outside_the_electorate_reads_the_outcome_not_the_stances(client, circle_vote):
    """A member who sits in no circle may put a change to a document's circle: it reads its
    proposal and the outcome, but the tally and each stance are the electorate's."""
    proposal = circle_vote["proposal"]
    Proposal.objects.filter(pk=proposal.pk).update(author=circle_vote["outside"])
    client.force_login(circle_vote["outside"])
    url = reverse("governance:proposal_detail", args=[proposal.pk])
    for when in (NOW, AFTER):
        with freeze_time(when):
            page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "secret-title" in body
        assert SECRET_REASON not in body
        assert 'id="tally"' not in body and 'id="projection"' not in body
    assert 'id="proposal-outcome"' in body  # the decision itself is told


def test_the_steward_admin_who_approved_an_admission_does_not_read_the_stances(
    client, django_capture_on_commit_callbacks
):
    """Approving an operational application opens its admission proposal with the approver as
    author; a steward admin is no voter, so it does not read how each member stood."""
    from resellers.services import application_approve
    from tests.factories import (
        ApplicationFactory,
        CoopStewardFactory,
        PolicyFactory,
        StewardAdminFactory,
    )

    PolicyFactory()
    voter, voter_user = voting_member()
    steward = CoopStewardFactory()
    approver = StewardAdminFactory(stewards=[steward])
    application = ApplicationFactory(operational=True, steward=steward)
    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        application_approve(application=application, actor=approver)
    proposal = Proposal.objects.get(admission_application_id=application.pk)
    assert proposal.author == approver
    services.stance_cast(
        proposal=proposal,
        member=voter,
        stance="block",
        reason=SECRET_REASON,
        actor=voter_user,
        now=NOW,
    )
    client.force_login(approver)
    with freeze_time(NOW):
        page = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
    assert page.status_code == 200
    assert SECRET_REASON not in page.content.decode()
    assert 'id="tally"' not in page.content.decode()
    client.force_login(voter_user)
    with freeze_time(NOW):
        assert (
            SECRET_REASON
            in client.get(
                reverse("governance:proposal_detail", args=[proposal.pk])
            ).content.decode()
        )
