"""People and sign-in for the browser walks, shared by every journey."""

from tests.factories import (
    PASSWORD,
    CircleRoleFactory,
    MemberContactFactory,
    OperationalMembershipFactory,
)


def seated(circle=None, role="member"):
    """A login acting for a member with an operational membership, seated in ``circle``
    with ``role`` when a circle is given."""
    contact = MemberContactFactory()
    OperationalMembershipFactory(member=contact.member)
    if circle is not None:
        CircleRoleFactory(circle=circle, member=contact.member, role=role)
    return contact


def sign_in_on(page, live_server, email, path="/accounts/login/"):
    """Sign in on ``page`` from ``path`` (the sign-in page, or a page that sends there)."""
    page.goto(live_server.url + path)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def sign_in(browser, live_server, email):
    """A new browser context signed in as ``email``: a person of their own."""
    page = browser.new_context(base_url=live_server.url).new_page()
    return sign_in_on(page, live_server, email)
