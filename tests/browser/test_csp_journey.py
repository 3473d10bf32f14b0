"""In headless chromium, under the site's Content-Security-Policy: the pages that had inline
scripts and styles, and the Django admin, work and report no violation; and a rate-limited
application loses nothing that was typed (the browser's Back button returns to the form)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


def watched_page(browser, live_server, violations):
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return page


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def collect(page, violations):
    violations.extend(page.evaluate("window.__csp || []"))


def test_the_pages_work_under_the_policy_and_report_no_violation(browser, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    from django_celery_beat.models import PeriodicTask

    from governance.models import Proposal
    from meetcoop.users.models import User

    for user in User.objects.filter(email__in=["admin@meet.coop.example", "member01@example.org"]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    violations: list[str] = []

    # The application form's script, now a file: the pledge fieldset and its percentage.
    page = watched_page(browser, live_server, violations)
    page.goto("/apply/")
    page.locator("main a[href^='/apply/']").first.click()
    pledge = page.locator("#pledge")
    expect(pledge).to_be_hidden()
    page.locator("input[name=type][value=operational]").check()
    expect(pledge).to_be_visible()
    page.fill("#id_pledge_hours", "10")
    expect(page.locator("#pledge-percent")).not_to_have_text("0")
    collect(page, violations)

    # The member's commitment bar, now an SVG.
    sign_in(page, "member01@example.org")
    page.goto("/contributions/")
    bar = page.locator("#commitment-progress")
    expect(bar).to_be_visible()
    assert bar.locator("rect").bounding_box() is not None
    collect(page, violations)

    # The admin: Django's own scripts (calendar shortcuts, actions), the proposal's "close now"
    # button laid out inline, and the periodic task's schedule in words.
    admin = watched_page(browser, live_server, violations)
    sign_in(admin, "admin@meet.coop.example")
    proposal = Proposal.objects.filter(status="open").first()
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now())
    admin.goto(f"/admin/governance/proposal/{proposal.pk}/change/")
    close_form = admin.locator(".object-tools form.inline-form")
    expect(close_form).to_be_visible()
    assert close_form.evaluate("el => getComputedStyle(el).display") == "inline"
    collect(admin, violations)

    admin.goto("/admin/membership/membership/add/")
    expect(admin.locator(".datetimeshortcuts").first).to_be_visible()  # made by admin JS
    collect(admin, violations)

    admin.goto("/admin/resellers/application/")
    admin.locator("input.action-select").first.check()
    expect(admin.locator(".action-counter")).to_contain_text("1 of")  # admin actions.js
    collect(admin, violations)

    task = PeriodicTask.objects.exclude(crontab=None).first() or a_scheduled_task()
    admin.goto(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    expect(admin.locator(".field-crontab .help")).to_contain_text("In words:")
    expect(admin.locator(".field-crontab_translation")).to_be_hidden()
    collect(admin, violations)

    assert violations == []


def test_a_limited_application_keeps_what_was_typed(browser, live_server, settings):
    from tests.factories import (
        PolicyFactory,
        ServiceLevelFactory,
        StewardFactory,
        StewardOfferFactory,
        TermsVersionFactory,
    )

    settings.RESELLERS_APPLY_RATE = "0/h"  # every submission is over the limit
    PolicyFactory()
    TermsVersionFactory(document="terms_of_use", version="1.0")
    TermsVersionFactory(document="fair_use", version="1.0")
    small = ServiceLevelFactory(code="small", name="Small")
    steward = StewardFactory(slug="comuns", name="Comuns Reunits", operational=True)
    StewardOfferFactory(steward=steward, service_level=small, capacity=5)
    violations: list[str] = []
    page = watched_page(browser, live_server, violations)

    page.goto("/apply/comuns/")
    page.get_by_label("Your full name").fill("Núria Puig")
    page.locator("input[name=email]").fill("nuria@example.org")
    page.locator("select[name=service_level]").select_option(str(small.pk))
    page.get_by_role("button", name="Send my application").click()

    expect(page.get_by_role("heading", name="Please wait before sending again")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nothing you typed is lost")
    collect(page, violations)

    page.go_back()
    expect(page.get_by_label("Your full name")).to_have_value("Núria Puig")
    expect(page.locator("input[name=email]")).to_have_value("nuria@example.org")
    expect(page.locator("select[name=service_level]")).to_have_value(str(small.pk))
    assert violations == []


def a_scheduled_task():
    """A task on a crontab schedule (the migrations make some; a transactional test before this
    one may have flushed them)."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    crontab, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="2")
    return PeriodicTask.objects.create(
        name="CSP check", task="standing.tasks.recompute_status_nightly", crontab=crontab
    )
