"""In headless chromium: a person applies for a Small account at a reseller, the reseller's
admin approves it in the Django admin, and the new member sets a password and signs in."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from membership.models import Membership
from resellers.models import Application
from tests.browser.a11y import assert_accessible
from tests.factories import (
    PASSWORD,
    PolicyFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsVersionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-brand-new-member-password-7"


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}], ids=["1280", "390"]
)
def test_apply_approve_and_sign_in(live_server, page, browser, viewport):
    """The applicant's walk to the steward's approval and the member's first sign-in, at a
    desktop and a phone width, with axe on each public page along the way."""
    PolicyFactory()
    TermsVersionFactory(document="terms_of_use", version="1.0")
    TermsVersionFactory(document="fair_use", version="1.0")
    small = ServiceLevelFactory(code="small", name="Small")
    steward = StewardFactory(
        slug="comuns", name="Comuns Reunits", languages=["ca", "es", "en"], operational=True
    )
    StewardOfferFactory(steward=steward, service_level=small, capacity=5)
    StewardAdminFactory(email="admin@comuns.example", stewards=[steward])

    # 1. The applicant picks the steward and applies for Small.
    applicant = browser.new_context(viewport=viewport).new_page()
    applicant.goto(f"{live_server.url}/apply/")
    assert_accessible(applicant, where="the steward list")
    applicant.get_by_role("link", name="Apply with Comuns Reunits").click()
    assert_accessible(applicant, where="the application form")
    applicant.get_by_label("Your full name").fill("Núria Puig")
    applicant.locator("input[name=email]").fill("nuria@example.org")
    applicant.locator("select[name=country]").select_option("ES")
    applicant.locator("#id_language").select_option("en")  # then signed-in pages are English
    applicant.locator("select[name=service_level]").select_option(str(small.pk))
    applicant.get_by_label("I have read and accept the Terms of Use").check()
    applicant.get_by_label("I have read and accept the Fair Use Agreement").check()
    applicant.get_by_role("button", name="Send my application").click()
    applicant.get_by_role("heading", name="Thank you for applying").wait_for()
    assert_accessible(applicant, where="the thank-you page")
    application = Application.objects.get(email="nuria@example.org")
    assert application.status == "submitted"

    # 2. The reseller's admin signs in (the admin sends them to the allauth page) and approves.
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/admin/resellers/application/")
    assert "/accounts/login/" in page.url
    page.locator("input[name=login]").fill("admin@comuns.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/resellers/application/$"))
    page.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    page.locator("select[name=action]").select_option("approve_selected")
    page.locator("button[name=index]").click()
    page.get_by_text("1 application approved.").wait_for()
    application.refresh_from_db()
    assert application.status == "approved"
    assert Membership.objects.get(member__email="nuria@example.org").status == "active"

    # 3. The new member follows the invitation, sets a password and signs in.
    invitation = next(m for m in mail.outbox if m.to == ["nuria@example.org"] and "key" in m.body)
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", invitation.body).group(0)
    member = browser.new_context(viewport=viewport).new_page()
    member.goto(live_server.url + urlsplit(link).path)
    assert_accessible(member, where="the set-password page")
    member.locator("input[name=password1]").fill(NEW_PASSWORD)
    member.locator("input[name=password2]").fill(NEW_PASSWORD)
    assert member.get_by_role("heading", name="Choose your password").is_visible()
    member.get_by_role("button", name="Set my password").click()
    # Setting the password signs the member in.
    member.get_by_role("button", name="Sign out").wait_for()
    member.get_by_text("Your password is set.").wait_for()
    assert "/accounts/" not in member.url
    assert_accessible(member, where="the new member's first page")
    # And the password works for the next sign-in.
    member.get_by_role("button", name="Sign out").click()
    member.goto(f"{live_server.url}/accounts/login/")
    member.locator("input[name=login]").fill("nuria@example.org")
    member.locator("input[name=password]").fill(NEW_PASSWORD)
    member.locator("main form button[type=submit]").click()
    member.get_by_role("button", name="Sign out").wait_for()
    assert "/accounts/login/" not in member.url


def test_pledge_percentage_shows_live(live_server, page):
    PolicyFactory()
    StewardFactory(slug="coop-steward", name="The Co-op", operational=True)

    page.goto(f"{live_server.url}/apply/coop-steward/")
    assert not page.locator("#pledge").is_visible()  # shown only for operational applicants
    page.get_by_label("Operational member").check()
    page.locator("input[name=pledge_hours]").fill("30")
    assert page.locator("#pledge-percent").text_content() == "75"
    page.locator("input[name=pledge_money]").fill("125")
    assert page.locator("#pledge-percent").text_content() == "100"
    page.locator("input[name=pledge_money]").fill("124.99")
    assert page.locator("#pledge-percent").text_content() == "99.99"


def test_the_organisation_name_shows_only_for_an_organisation(live_server, browser):
    PolicyFactory()
    StewardFactory(slug="coop-steward", name="The Co-op", operational=True)
    url = f"{live_server.url}/apply/coop-steward/"

    page = browser.new_context().new_page()
    page.goto(url)
    field = page.locator("input[name=organisation_name]")
    assert not field.is_visible()  # an individual by default
    page.get_by_label("organisation", exact=True).check()
    assert field.is_visible()
    page.get_by_label("individual", exact=True).check()
    assert not field.is_visible()

    # Without JavaScript the field is there, saying whom it is for.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(url)
    assert plain.get_by_label("Organisation name (only for an organisation)").is_visible()
