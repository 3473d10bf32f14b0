"""The email telling an applicant that the Permanent Assembly did not admit them says why in
the applicant's language, whoever closed the vote (the nightly task writes in the co-op's)."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from governance import services
from governance.models import Voter
from tests.english import english_left
from tests.factories import ApplicationFactory, CoopStewardFactory, PolicyFactory
from tests.governance.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_not_admitted_email_says_why_in_the_applicants_language(
    language, make_voters, author, django_capture_on_commit_callbacks
):
    PolicyFactory()
    application = ApplicationFactory(
        operational=True,
        steward=CoopStewardFactory(),
        status="awaiting_assembly",
        email="ada@example.org",
        language=language,
        submitted_at=NOW - datetime.timedelta(days=10),
    )
    ((member, user),) = make_voters(1)
    proposal = services.admission_proposal_open(
        application_id=application.pk,
        applicant=application.display_name,
        statement="",
        actor=author,
        now=NOW,
    )
    services.stance_cast(
        proposal=proposal,
        member=member,
        stance=Voter.Stance.BLOCK,
        reason="Values don't align.",
        actor=user,
        now=NOW,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_close(
            proposal=proposal, actor=None, now=proposal.closes_at + datetime.timedelta(seconds=1)
        )
    (message,) = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    assert not english_left(message.body, language), message.body
    with translation.override(language):
        why = translation.ngettext("%(n)d member blocked", "%(n)d members blocked", 1) % {"n": 1}
    assert why in message.body
