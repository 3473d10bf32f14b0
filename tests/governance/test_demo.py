import io

import pytest
from django.apps import apps
from django.core.management import call_command

from governance import selectors
from governance.models import GovernanceDocument, Meeting, Proposal

pytestmark = pytest.mark.django_db


def counts():
    return {
        m._meta.label: m.objects.count() for m in apps.get_app_config("governance").get_models()
    }


def test_seed_demo_builds_governance_and_running_it_again_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
    assert Meeting.objects.filter(kind=Meeting.Kind.ALL_HANDS).count() == 12
    policy = GovernanceDocument.objects.get(slug="membership-policy")
    history = list(selectors.document_history(policy))
    assert [v.number for v in history] == [2, 1]
    assert all(v.proposal.outcome == Proposal.Outcome.ADOPTED for v in history)
    assert Proposal.objects.filter(status=Proposal.Status.OPEN).exists()
    rejected = Proposal.objects.get(outcome=Proposal.Outcome.REJECTED)
    assert rejected.voters.filter(stance="block").exclude(reason="").exists()


def test_demo_circles_can_be_created_by_another_seeder_first():
    from governance.models import Circle

    Circle.objects.create(slug="tech", name="Tech circle")
    call_command("seed_demo", stdout=io.StringIO())
    assert Circle.objects.get(slug="tech").name == "Tech circle"
