import datetime

import pytest
from django.core.exceptions import ValidationError

from governance import selectors, services
from governance.models import DocumentVersion, Proposal, Voter
from meetcoop.core.models import AppendOnlyError
from tests.factories import GovernanceDocumentFactory
from tests.governance.conftest import AFTER, CLOSES, NOW

pytestmark = pytest.mark.django_db

V1 = "# Membership Policy\n\nOperational members pledge 500 EUR.\nThey attend All Hands.\n"
V2 = (
    "# Membership Policy\n\nOperational members pledge 500 EUR or 40 hours.\n"
    "They attend All Hands.\n"
)


@pytest.fixture
def voters(make_voters):
    return make_voters(2)


def adopt(open_proposal, voters, document, new_text, *, now=NOW, closes_at=CLOSES, close_at=AFTER):
    proposal = open_proposal(document=document, new_text=new_text, now=now, closes_at=closes_at)
    member, user = voters[0]
    services.stance_cast(
        proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=now
    )
    return services.proposal_close(proposal=proposal, actor=None, now=close_at)


def test_a_document_has_no_text_until_a_proposal_is_adopted(open_proposal, voters):
    document = GovernanceDocumentFactory()
    assert document.current_version is None
    proposal = adopt(open_proposal, voters, document, V1)
    document.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.ADOPTED
    assert document.current_version.text == V1
    assert document.current_version.number == 1
    assert document.current_version.proposal == proposal


def test_a_rejected_proposal_leaves_the_document_unchanged(open_proposal, voters):
    document = GovernanceDocumentFactory()
    adopt(open_proposal, voters, document, V1)
    proposal = open_proposal(document=document, new_text=V2)
    services.stance_cast(
        proposal=proposal,
        member=voters[0][0],
        stance=Voter.Stance.BLOCK,
        reason="No.",
        actor=voters[0][1],
        now=NOW,
    )
    services.proposal_close(proposal=proposal, actor=None, now=AFTER)
    document.refresh_from_db()
    assert document.current_version.text == V1
    assert document.versions.count() == 1


def test_an_adopted_version_can_not_be_edited(open_proposal, voters):
    document = GovernanceDocumentFactory()
    adopt(open_proposal, voters, document, V1)
    version = DocumentVersion.objects.get(document=document)
    version.text = "Edited in place."
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        DocumentVersion.objects.filter(pk=version.pk).update(text="x")


def test_history_lists_every_version_with_its_proposal(open_proposal, voters):
    document = GovernanceDocumentFactory()
    first = adopt(open_proposal, voters, document, V1)
    later = NOW + datetime.timedelta(days=10)
    second = adopt(
        open_proposal,
        voters,
        document,
        V2,
        now=later,
        closes_at=later + datetime.timedelta(days=7),
        close_at=later + datetime.timedelta(days=8),
    )
    history = list(selectors.document_history(document))
    assert [(v.number, v.proposal_id) for v in history] == [(2, second.pk), (1, first.pk)]
    assert second.base_version == history[1]


def test_the_diff_shows_removed_and_added_lines(open_proposal, voters):
    document = GovernanceDocumentFactory()
    adopt(open_proposal, voters, document, V1)
    proposal = open_proposal(document=document, new_text=V2)
    diff = selectors.proposal_diff(proposal)
    changed = [(row["op"], row["text"]) for row in diff if row["op"] != "equal"]
    assert changed == [
        ("delete", "Operational members pledge 500 EUR."),
        ("insert", "Operational members pledge 500 EUR or 40 hours."),
    ]
    unchanged = [row["text"] for row in diff if row["op"] == "equal"]
    assert "They attend All Hands." in unchanged


def test_outdated_base_can_not_be_adopted(open_proposal, voters):
    document = GovernanceDocumentFactory()
    adopt(open_proposal, voters, document, V1)
    later = NOW + datetime.timedelta(days=10)
    closes = later + datetime.timedelta(days=7)
    first = open_proposal(document=document, new_text=V2, now=later, closes_at=closes)
    rival = open_proposal(
        document=document, new_text=V1 + "\nA third rule.\n", now=later, closes_at=closes
    )
    for proposal in (first, rival):
        services.stance_cast(
            proposal=proposal,
            member=voters[0][0],
            stance=Voter.Stance.AGREE,
            actor=voters[0][1],
            now=later,
        )
    assert not selectors.proposal_is_outdated(rival)
    services.proposal_close(proposal=first, actor=None, now=closes)
    rival.refresh_from_db()
    assert selectors.proposal_is_outdated(rival)
    rival = services.proposal_close(proposal=rival, actor=None, now=closes)
    assert rival.outcome == Proposal.Outcome.REJECTED
    assert "outdated" in rival.outcome_reason
    document.refresh_from_db()
    assert document.current_version.proposal == first


def test_an_outdated_proposal_can_be_re_proposed_against_the_current_text(open_proposal, voters):
    document = GovernanceDocumentFactory()
    adopt(open_proposal, voters, document, V1)
    later = NOW + datetime.timedelta(days=10)
    closes = later + datetime.timedelta(days=7)
    first = open_proposal(document=document, new_text=V2, now=later, closes_at=closes)
    rival = open_proposal(document=document, new_text="Other.", now=later, closes_at=closes)
    services.stance_cast(
        proposal=first,
        member=voters[0][0],
        stance=Voter.Stance.AGREE,
        actor=voters[0][1],
        now=later,
    )
    services.proposal_close(proposal=first, actor=None, now=closes)
    draft = services.proposal_repropose(proposal=rival, actor=voters[0][1])
    assert draft.status == Proposal.Status.DRAFT and draft.new_text == "Other."
    diff = selectors.proposal_diff(draft)
    assert ("delete", "Operational members pledge 500 EUR or 40 hours.") in [
        (r["op"], r["text"]) for r in diff
    ]
    with pytest.raises(ValidationError):
        services.proposal_repropose(proposal=first, actor=voters[0][1])


def test_markdown_is_rendered_safely():
    html = selectors.render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) *ok*"
    )
    assert "<h2>Title</h2>" in html  # one level down: the page's title is its only h1
    assert "<h1" not in html
    assert "<script>" not in html
    assert "javascript:" not in html
    assert "<em>ok</em>" in html


def test_a_proposal_with_a_document_needs_its_new_text(author):
    document = GovernanceDocumentFactory()
    with pytest.raises(ValidationError, match="new text"):
        services.proposal_create(title="T", text="x", document=document, new_text="", actor=author)


def test_long_unchanged_runs_collapse_around_the_change():
    old = "\n".join(f"line {i}" for i in range(1, 21))
    new = old.replace("line 10", "line ten")
    rows = selectors.collapse_unchanged(selectors.text_diff(old, new), context=2)
    assert rows[0] == {"op": "skip", "count": 7}
    assert [r["text"] for r in rows[1:7]] == [
        "line 8",
        "line 9",
        "line 10",
        "line ten",
        "line 11",
        "line 12",
    ]
    assert rows[-1] == {"op": "skip", "count": 8}


def test_terms_members_accept_change_only_by_an_adopted_proposal(open_proposal, voters):
    """A document members accept as the Terms of Use: each adopted text is published as the
    next terms version, from the adoption, and user members are then asked to accept it; a
    rejected proposal publishes nothing, and a text the same as the terms in force neither."""
    from membership.models import TermsVersion
    from tests.factories import TermsVersionFactory

    in_force = TermsVersionFactory(
        document="terms_of_use",
        version="1.0",
        text="Be kind.",
        published_at=NOW - datetime.timedelta(days=400),
    )
    document = GovernanceDocumentFactory(members_accept="terms_of_use")
    adopt(open_proposal, voters, document, "Be kind.")  # the terms in force, now governed
    assert list(TermsVersion.objects.filter(document="terms_of_use")) == [in_force]

    later = NOW + datetime.timedelta(days=10)
    blocked = open_proposal(
        document=document,
        new_text="Be kind. Pay on time.",
        now=later,
        closes_at=later + (CLOSES - NOW),
    )
    services.stance_cast(
        proposal=blocked,
        member=voters[0][0],
        stance=Voter.Stance.BLOCK,
        reason="Not yet.",
        actor=voters[0][1],
        now=later,
    )
    services.proposal_close(proposal=blocked, actor=None, now=later + (AFTER - NOW))
    assert TermsVersion.objects.filter(document="terms_of_use").count() == 1

    again = later + datetime.timedelta(days=20)
    adopted = adopt(
        open_proposal,
        voters,
        document,
        "Be kind. Pay on time.",
        now=again,
        closes_at=again + (CLOSES - NOW),
        close_at=again + (AFTER - NOW),
    )
    new = TermsVersion.objects.get(document="terms_of_use", version="2")
    assert new.text == "Be kind. Pay on time."
    assert new.published_at == adopted.closed_at


def test_one_document_at_most_is_accepted_as_each_terms():
    GovernanceDocumentFactory(members_accept="fair_use")
    second = GovernanceDocumentFactory.build(members_accept="fair_use", slug="other", title="Other")
    with pytest.raises(ValidationError):
        second.full_clean()
