"""Fair Use concerns in the browser: a member raises a concern about another member's use, the
member concerned reads it (not who raised it) and answers, and the co-op's admin decides a
suspension in the Django admin; the reporter then reads the outcome. axe checks the member
pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from membership.models import Membership
from resellers.models import Concern
from tests.browser.a11y import assert_accessible
from tests.factories import (
    PASSWORD,
    MemberContactFactory,
    MembershipFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email, path="/concerns/"):
    page.context.clear_cookies()
    page.goto(live_server.url + path)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_a_member_raises_a_concern_the_member_answers_and_the_coop_decides(page, live_server):
    steward = StewardFactory(name="Comuns Reunits")
    reporter = MemberContactFactory(member__name="Rita Reporter", member__email="rita@example.org")
    MembershipFactory(member=reporter.member, steward=steward)
    concerned = MemberContactFactory(member__email="carles@example.org")
    membership = MembershipFactory(member=concerned.member, steward=steward)
    UserFactory(email="admin@meet.example", is_staff=True, is_superuser=True)

    # 1. The reporter raises the concern; an empty description is a message, not an error.
    sign_in(page, live_server, "rita@example.org")
    page.get_by_role("link", name="Raise a concern").click()
    assert_accessible(page, where="the concern form")
    page.get_by_label("a member's use under the Fair Use Agreement").check()
    page.get_by_label("The member's email address (for a member's use)").fill("carles@example.org")
    page.get_by_role("button", name="Send my concern").click()
    assert "There is a problem" in page.content()
    assert_accessible(page, where="the concern form with its errors")
    page.get_by_label("What happened").fill("Ran a 300-person webinar every day on a Small room.")
    page.get_by_role("button", name="Send my concern").click()
    page.get_by_text("Your concern was recorded.").wait_for()
    assert_accessible(page, where="the reporter's concern page")
    concern = Concern.objects.get()

    # 2. The member concerned is told by email, reads the concern and answers.
    [told] = [m for m in mail.outbox if m.to == ["carles@example.org"]]
    assert "Rita" not in told.body
    sign_in(page, live_server, "carles@example.org", reverse("concerns:detail", args=[concern.pk]))
    assert "300-person webinar" in page.content() and "Rita" not in page.content()
    assert_accessible(page, where="the concerned member's page")
    page.get_by_label("Your answer").fill("It was a one-off conference.")
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_text("Your answer was recorded.").wait_for()
    assert "It was a one-off conference." in page.inner_text("#concern-answers")

    # 3. The co-op's admin reads the steps in the admin and decides a suspension.
    sign_in(page, live_server, "admin@meet.example", "/admin/resellers/concern/")
    page.wait_for_url(re.compile(r".*/admin/resellers/concern/$"))
    page.locator(f"input[name=_selected_action][value='{concern.pk}']").check()
    page.locator("select[name=action]").select_option("decide_selected")
    page.locator("button[name=index]").click()
    page.get_by_label("suspension").check()
    page.locator("textarea[name=text]").fill("Your rooms hosted 300 people a day.")
    page.locator("input[type=submit][value=Decide]").click()
    page.get_by_text("1 concern decided.").wait_for()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.SUSPENDED
    page.goto(live_server.url + reverse("admin:resellers_concern_change", args=[concern.pk]))
    steps = page.content()
    assert "It was a one-off conference." in steps and "Your rooms hosted" in steps

    # 4. The reporter reads the outcome on its list.
    sign_in(page, live_server, "rita@example.org")
    assert "Decided: suspension" in page.content()
    assert_accessible(page, where="the reporter's list of concerns")
