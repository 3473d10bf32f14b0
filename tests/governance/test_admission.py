import datetime
from types import SimpleNamespace

import pytest

from governance import services
from governance.models import Proposal, Voter
from tests.governance.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    # resellers.Application arrives with the applications issue; its shape is enough here.
    return SimpleNamespace(pk=4242, name="Ada Lovelace", organisation_name="", statement="I care.")


@pytest.fixture
def calls(monkeypatch):
    calls = []
    monkeypatch.setattr(
        services, "_admission_admit", lambda **kwargs: calls.append(("admit", kwargs))
    )
    monkeypatch.setattr(
        services,
        "_admission_not_admitted",
        lambda **kwargs: calls.append(("not_admitted", kwargs)),
    )
    return calls


def test_approval_opens_an_admission_proposal_in_the_permanent_assembly(
    application, make_voters, author
):
    make_voters(2)
    voting_user_member = make_voters(1, membership_type="user")
    proposal = services.admission_proposal_open(application=application, actor=author, now=NOW)
    assert proposal.status == Proposal.Status.OPEN
    assert proposal.electorate == Proposal.Electorate.ALL
    assert proposal.admission_application_id == 4242
    assert proposal.electorate_size == 3
    assert voting_user_member[0][0].pk in set(proposal.voters.values_list("member_id", flat=True))
    assert "Ada Lovelace" in proposal.title and "I care." in proposal.text
    assert proposal.closes_at == NOW + datetime.timedelta(days=7)


def test_opening_the_admission_twice_returns_the_same_proposal(application, make_voters, author):
    make_voters(1)
    first = services.admission_proposal_open(application=application, actor=author, now=NOW)
    second = services.admission_proposal_open(application=application, actor=author, now=NOW)
    assert first.pk == second.pk
    assert Proposal.objects.count() == 1


def test_adoption_admits_the_member_end_to_end(application, make_voters, author, calls):
    voters = make_voters(2)
    proposal = services.admission_proposal_open(application=application, actor=author, now=NOW)
    for member, user in voters:
        services.stance_cast(
            proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=NOW
        )
    after = proposal.closes_at + datetime.timedelta(minutes=1)
    services.close_due_proposals(now=after)
    services.close_due_proposals(now=after)
    assert calls == [
        ("admit", {"application_id": 4242, "actor": None, "on": proposal.closes_at.date()})
    ]


def test_rejection_closes_the_application_with_the_outcome(application, make_voters, author, calls):
    ((member, user),) = make_voters(1)
    proposal = services.admission_proposal_open(application=application, actor=author, now=NOW)
    services.stance_cast(
        proposal=proposal,
        member=member,
        stance=Voter.Stance.BLOCK,
        reason="Values don't align.",
        actor=user,
        now=NOW,
    )
    services.proposal_close(
        proposal=proposal, actor=None, now=proposal.closes_at + datetime.timedelta(seconds=1)
    )
    assert len(calls) == 1
    kind, kwargs = calls[0]
    assert kind == "not_admitted" and kwargs["application_id"] == 4242
    assert "1 member blocked" in kwargs["reason"]


def test_without_the_applications_code_the_adapter_only_logs(caplog):
    # Until resellers.Application exists, closing an admission proposal must not crash.
    from django.apps import apps

    try:
        apps.get_model("resellers", "Application")
    except LookupError:
        assert services._admission_admit(application_id=1, actor=None, on=NOW.date()) is None
    else:
        pytest.skip("resellers.Application is installed; the real flow is tested there")
