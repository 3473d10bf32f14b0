"""Issue 14, point 6 in the browser: a visitor reads "How to become a member" (the adopted
text) and the public list of members, with no serious accessibility violation; a member opts
in on its page and appears on the list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Voter
from tests.browser.a11y import assert_accessible
from tests.browser.people import sign_in_on as sign_in
from tests.factories import (
    GovernanceDocumentFactory,
    PolicyFactory,
    ProposalFactory,
    PublicListingFactory,
    UserFactory,
    voting_member,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def adopt(document, text, voter):
    admin = UserFactory(is_staff=True, is_superuser=True)
    now = timezone.now() - datetime.timedelta(days=10)
    proposal = services.proposal_open(
        proposal=ProposalFactory(
            author=admin, title="Adopt the membership page", document=document, new_text=text
        ),
        closes_at=now + datetime.timedelta(days=7),
        actor=admin,
        now=now,
        notify=False,
    )
    member, user = voter
    services.stance_cast(
        proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=now
    )
    services.proposal_close(proposal=proposal, actor=None, notify=False)


def test_a_visitor_reads_the_membership_page_and_the_list_and_a_member_opts_in(page, live_server):
    PolicyFactory()
    voter = voting_member()
    document = GovernanceDocumentFactory(
        title="Membership policy", slug="membership-policy", public=True, membership_page=True
    )
    adopt(document, "# Join us\n\nPledge 500 EUR or 40 hours of work.\n", voter)
    listed, _user = voting_member()
    PublicListingFactory(member=listed, display_name="Pixel Co-op", offer="Design for co-ops.")

    page.goto(live_server.url + reverse("home"))
    page.click("header >> text=Become a member")
    assert page.url.endswith(reverse("membership_page"))
    assert page.locator("main h1").first.inner_text() == "How to become a member"
    assert "Pledge 500 EUR or 40 hours of work." in page.content()
    assert "Adopt the membership page" in page.content()
    assert_accessible(page)
    # The document's own page and history are public too.
    page.click("text=Its history of adopted versions")
    assert "Pledge 500 EUR or 40 hours of work." in page.content()
    assert_accessible(page)

    page.click("header >> text=Our members")
    assert "Pixel Co-op" in page.content()
    assert "Design for co-ops." in page.content()
    assert_accessible(page)

    member, user = voter
    sign_in(page, live_server, user.email)
    page.goto(live_server.url + reverse("standing:dashboard"))
    page.click("text=Choose whether you are on the public list of members")
    assert_accessible(page)
    page.check("input[name=listed]")
    page.fill("input[name=display_name]", "Rooms for All")
    page.fill("input[name=website]", "https://rooms.example")
    page.check("input[name=languages][value=ca]")
    page.fill("textarea[name=offer]", "BigBlueButton hosting in Catalan.")
    page.click("main form button[type=submit]")
    assert "You are on the public list of members." in page.content()
    assert_accessible(page)
    page.goto(live_server.url + reverse("members_list"))
    assert "Rooms for All" in page.content()
    assert "Catalan" in page.content()
