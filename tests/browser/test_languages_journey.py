"""In each language the co-op ships, a person walks the site as they would: a visitor picks
their language in the header, reads the steward list and a steward's form; a member signs in
and reads their page and a proposal. No English of the project is left on any of them, and
each page passes axe."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from governance import services as governance_services
from membership.models import Membership
from tests.browser.a11y import assert_accessible
from tests.english import english_left, visible_text
from tests.factories import (
    PASSWORD,
    CoopStewardFactory,
    DuesInvoiceFactory,
    MembershipFactory,
    PolicyFactory,
    ProposalFactory,
    ServiceLevelFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsVersionFactory,
    UserFactory,
    voting_member,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def assert_reads_in(page, language, where):
    assert page.get_attribute("html", "lang") == language, where
    left = english_left(visible_text(page.content()), language)
    assert not left, f"{where} in {language} still says: {left[:8]}"
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitor_and_a_member_read_the_site_in_their_language(page, live_server, language):
    PolicyFactory()
    TermsVersionFactory(document="terms_of_use")
    CoopStewardFactory()
    level = ServiceLevelFactory(code="small", minimum_amount=Decimal("10.00"))
    steward = StewardFactory(
        slug="local", name="Local Rooms", languages=[language, "en"], operational=True
    )
    StewardOfferFactory(steward=steward, service_level=level, capacity=5)
    admin = UserFactory(is_staff=True, is_superuser=True)
    member, user = voting_member(member__language=language)
    user.language = language
    user.save(update_fields=["language"])
    invoice_to = MembershipFactory(
        member=member, type=Membership.Type.USER, status="active", steward=steward
    )
    DuesInvoiceFactory(membership=invoice_to, amount=Decimal("1234.50"))
    proposal = governance_services.proposal_open(
        proposal=ProposalFactory(author=admin, title="Rooms for all"),
        closes_at=timezone.now() + datetime.timedelta(days=3),
        actor=admin,
    )

    # A visitor picks their language in the header; the choice stays as they go on.
    page.goto(live_server.url + "/")
    page.select_option("#header-language", language)
    page.locator(".language-switch button[type=submit]").click()
    page.wait_for_load_state()
    assert_reads_in(page, language, "the home page")
    page.goto(live_server.url + reverse("resellers:steward_list"))
    assert_reads_in(page, language, "the steward list")
    page.goto(live_server.url + reverse("resellers:apply", args=[steward.slug]))
    assert_reads_in(page, language, "the application form")
    # A form sent with a mistake answers in the same language.
    page.locator(".application-form button[type=submit]").click()
    page.wait_for_load_state()
    assert_reads_in(page, language, "the form with its errors")

    # The member signs in (from an English browser session) and reads their own language.
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("standing:dashboard"))
    assert_reads_in(page, language, "/me/")
    page.goto(live_server.url + reverse("governance:proposal_detail", args=[proposal.pk]))
    assert_reads_in(page, language, "the proposal page")
