"""The proposal page says what its fingerprint is for and what the current tally would give,
and diffs of documents show words, not Markdown markers."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from governance import selectors, services
from governance.models import Voter
from tests.factories import GovernanceDocumentFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db

V1 = "# Membership Policy\n\nOperational members **pledge** 500 EUR.\nThey attend All Hands.\n"
V2 = (
    "# Membership Policy\n\nOperational members **pledge** 500 EUR or _40 hours_.\n"
    "They attend All Hands.\n\n## Hours\n\n- Hours count when a coordinator approves them.\n"
)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def voters(make_voters):
    return make_voters(4)


def page(client, proposal, user):
    client.force_login(user)
    response = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def stance(proposal, voter, value):
    member, user = voter
    reason = "It breaks the bylaws." if value == Voter.Stance.BLOCK else ""
    services.stance_cast(
        proposal=proposal, member=member, stance=value, reason=reason, actor=user, now=NOW
    )


def test_the_fingerprint_says_what_it_is_for(client, open_proposal, voters):
    proposal = open_proposal()
    html = page(client, proposal, voters[0][1])
    assert (
        "This fingerprint lets anyone check later that the text voted on is the text adopted."
        in html
    )
    assert proposal.content_sha256 in html


def test_the_rule_is_said_in_words(client, open_proposal, voters):
    proposal = open_proposal(quorum_percent=50)
    html = page(client, proposal, voters[0][1])
    assert (
        "The proposal is adopted when turnout reaches the quorum (50 % of the electorate take a "
        "stance), at least one member agrees and nobody blocks." in html
    )


def test_an_open_proposal_says_what_the_tally_would_give_now(client, open_proposal, voters):
    proposal = open_proposal(quorum_percent=50)
    user = voters[0][1]
    assert "would be rejected (quorum not reached: 0 % voted, 50 % needed)" in page(
        client, proposal, user
    )
    stance(proposal, voters[0], Voter.Stance.AGREE)
    stance(proposal, voters[1], Voter.Stance.ABSTAIN)
    html = page(client, proposal, user)
    assert (
        "If the vote closed now, the proposal would be adopted (agreed, with nobody blocking)."
        in html
    )
    assert "So far 2 of 4 have taken a stance (50 %)." in html
    stance(proposal, voters[2], Voter.Stance.BLOCK)
    assert "would be rejected (1 member blocked)" in page(client, proposal, user)
    # The words follow the same rule the close applies.
    assert selectors.outcome_for(proposal, selectors.proposal_tally(proposal))[0] == "rejected"


def test_so_far_never_reads_as_the_quorum_when_it_falls_short(client, open_proposal, make_voters):
    """2 of 3 (66.67 %) under a 67 % quorum: the projection and its "so far" agree, 66 %."""
    voters = make_voters(3)
    proposal = open_proposal(quorum_percent=67)
    stance(proposal, voters[0], Voter.Stance.AGREE)
    stance(proposal, voters[1], Voter.Stance.AGREE)
    html = page(client, proposal, voters[0][1])
    assert "would be rejected (quorum not reached: 66 % voted, 67 % needed)" in html
    assert "So far 2 of 3 have taken a stance (66 %)." in html


def test_a_closed_proposal_shows_its_outcome_not_a_projection(client, open_proposal, voters):
    proposal = open_proposal()
    stance(proposal, voters[0], Voter.Stance.AGREE)
    closed = services.proposal_close(proposal=proposal, actor=None, now=proposal.closes_at)
    with freeze_time(closed.closes_at):
        html = page(client, closed, voters[0][1])
    assert "If the vote closed now" not in html
    assert 'id="proposal-outcome"' in html


def test_the_diff_shows_the_words_without_markdown_markers(client, open_proposal, voters):
    document = GovernanceDocumentFactory()
    first = open_proposal(document=document, new_text=V1)
    stance(first, voters[0], Voter.Stance.AGREE)
    services.proposal_close(proposal=first, actor=None, now=first.closes_at)
    proposal = open_proposal(document=document, new_text=V2)
    rows = selectors.proposal_diff(proposal)
    texts = [row["text"] for row in rows]
    assert not any("**" in t or t.startswith("#") or "_40" in t for t in texts)
    changed = [(row["op"], row["text"]) for row in rows if row["op"] != "equal"]
    assert changed == [
        ("delete", "Operational members pledge 500 EUR."),
        ("insert", "Operational members pledge 500 EUR or 40 hours."),
        ("insert", "Hours"),
        ("insert", "• Hours count when a coordinator approves them."),
    ]
    html = page(client, proposal, voters[0][1])
    diff_html = html[html.index('class="gov-diff"') :]
    assert "**" not in diff_html and "# Membership" not in diff_html
    assert "Membership Policy" in diff_html


def test_a_document_versions_diff_shows_words_too(client, open_proposal, voters):
    document = GovernanceDocumentFactory(slug="policy")
    for text in (V1, V2):
        proposal = open_proposal(document=document, new_text=text)
        stance(proposal, voters[0], Voter.Stance.AGREE)
        services.proposal_close(proposal=proposal, actor=None, now=proposal.closes_at)
    client.force_login(voters[0][1])
    html = client.get(reverse("governance:document_version", args=["policy", 2])).content.decode()
    diff_html = html[html.index('class="gov-diff"') :]
    assert "**" not in diff_html
    assert "<ins>Operational members pledge 500 EUR or 40 hours.</ins>" in diff_html


def test_markdown_text_keeps_lists_tables_and_drops_raw_html():
    text = selectors.markdown_text(
        "1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | **2** |\n\n<script>x()</script> ok"
    )
    assert text.splitlines() == ["1. first", "2. second", "a | b", "1 | 2", "ok"]


def test_the_diff_shows_where_a_link_leads_and_an_images_address():
    """The words of a link stay the same while its target changes: the diff must show it."""
    rows = selectors.rendered_diff(
        "Read the [Fair Use Agreement](https://meet.coop/fua).",
        "Read the [Fair Use Agreement](https://elsewhere.example/fua).\n\n![Logo](/logo.png)",
    )
    changed = [(row["op"], row["text"]) for row in rows if row["op"] != "equal"]
    assert changed == [
        ("delete", "Read the Fair Use Agreement (https://meet.coop/fua)."),
        ("insert", "Read the Fair Use Agreement (https://elsewhere.example/fua)."),
        ("insert", "[Logo] (/logo.png)"),
    ]
