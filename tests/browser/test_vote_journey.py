"""Three members vote in the browser, one blocks with a reason; the proposal closes rejected and
its page shows the tally and the reason."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Proposal
from tests.browser.people import sign_in_on as sign_in
from tests.factories import PolicyFactory, ProposalFactory, UserFactory, voting_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.context.clear_cookies()


def test_three_members_vote_one_blocks_and_the_proposal_is_rejected(page, live_server):
    PolicyFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)
    members = [voting_member() for _ in range(3)]
    closes_at = timezone.now() + datetime.timedelta(hours=1)
    proposal = services.proposal_open(
        proposal=ProposalFactory(
            author=admin, title="Hold the All Hands on Saturdays", text="Saturdays, 10:00."
        ),
        closes_at=closes_at,
        actor=admin,
    )
    detail = live_server.url + reverse("governance:proposal_detail", args=[proposal.pk])
    stances = [
        ("agree", ""),
        ("agree", ""),
        ("block", "Saturdays belong to our families."),
    ]
    for (_member, user), (stance, reason) in zip(members, stances, strict=True):
        sign_in(page, live_server, user.email)
        page.goto(detail)
        assert "you have not voted yet" in page.content()
        if stance == "block":
            # A block without a reason is refused, and nothing typed is lost.
            page.check(f"input[name=stance][value={stance}]")
            page.click("text=Record my stance")
            assert "A block needs a reason." in page.content()
            assert page.is_checked(f"input[name=stance][value={stance}]")
        page.check(f"input[name=stance][value={stance}]")
        page.fill("textarea[name=reason]", reason)
        page.click("text=Record my stance")
        assert "Your stance was recorded." in page.content()
        sign_out(page)

    # The scheduled task runs at the closing time.
    services.proposal_close(
        proposal=proposal, actor=None, now=closes_at + datetime.timedelta(seconds=1)
    )
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.REJECTED

    sign_in(page, live_server, members[0][1].email)
    page.goto(detail)
    assert page.inner_text("#proposal-state").strip() == "rejected"
    assert "1 member blocked" in page.inner_text("#proposal-outcome")
    tally = page.inner_text("#tally")
    assert "Agree\t2" in tally and "Block\t1" in tally and "Electorate\t3" in tally
    assert "Saturdays belong to our families." in page.inner_text("#stances")
    assert page.locator("text=Record my stance").count() == 0
