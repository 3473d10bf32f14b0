"""Every response carries a Content-Security-Policy without 'unsafe-inline' (nor 'unsafe-eval')
and a Permissions-Policy; no page, the admin's included, holds what such a policy refuses (an
inline script or event handler, a <style> element, a style="" attribute), so nothing breaks."""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from meetcoop.users.models import User

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_strict_policy(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    for directive in ("script-src-attr", "script-src-elem", "style-src-attr", "style-src-elem"):
        assert directive not in policy  # no back door through the finer directives
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


# --- the headers ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/apply/", "/accounts/login/", "/healthz", "/no-such-page/", "/admin/login/"]
)
def test_every_response_carries_both_policies(client, path):
    response = client.get(path)
    assert response.status_code in (200, 302, 404)
    assert_strict_policy(response)


@pytest.mark.django_db
def test_the_admin_has_the_same_strict_policy(client, coop_admin):
    client.force_login(coop_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_strict_policy(response)


def test_static_files_carry_the_policies_too(client):
    from django.test import override_settings

    with override_settings(WHITENOISE_AUTOREFRESH=True, WHITENOISE_USE_FINDERS=True):
        response = client.get("/static/js/apply.js")
    assert response.status_code == 200
    assert_strict_policy(response)


# --- nothing inline, in the templates and in the pages -------------------------------------------

EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}


class InlineFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' refuses."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script_is_inline = False
        self._script_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.found.append(f'<{tag} style="{attrs["style"]}">')
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            kind = (attrs.get("type") or "").lower()
            self._script_is_inline = "src" not in attrs and kind in EXECUTABLE
            self._script_text = ""

    def handle_data(self, data):
        if self.lasttag == "script":
            self._script_text += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script_is_inline and self._script_text.strip():
            self.found.append("<script>" + self._script_text.strip()[:60])
        if tag == "script":
            self._script_is_inline = False


def inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_finds_what_the_policy_refuses():
    """The checks below are only as good as this finder."""
    assert inline_parts('<p style="color:red">') == ['<p style="color:red">']
    assert inline_parts("<script>alert(1)</script>") == ["<script>alert(1)"]
    assert inline_parts("<style>p{}</style>") == ["<style>"]
    assert inline_parts('<a onclick="x()">') == ["<a onclick=...>"]
    assert inline_parts('<a href="javascript:x()">') == ["<a href=javascript:x()>"]
    assert inline_parts('<script src="/static/x.js"></script>') == []
    assert inline_parts('<script type="application/json" id="d">{"a": 1}</script>') == []


def project_templates():
    skip = {".venv", ".git", "node_modules", "staticfiles"}
    for path in sorted(ROOT.rglob("*.html")):
        if skip.isdisjoint(path.relative_to(ROOT).parts) and "templates" in path.parts:
            yield path


def test_no_template_of_ours_writes_an_inline_script_or_style():
    offenders = {}
    for path in project_templates():
        # Template tags and variables are not HTML: blank them out before parsing.
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", path.read_text(), flags=re.S)
        found = inline_parts(text)
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
    assert any(p.name == "apply.html" for p in project_templates())  # the walk found them


def admin_pages(obj_by_model):
    """Every registered model's list and add pages, and the change page of its first row."""
    for model in admin.site._registry:
        meta = model._meta
        for view in ("changelist", "add"):
            yield reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}")
        obj = obj_by_model.get(model)
        if obj is not None:
            yield reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.mark.django_db
def test_no_page_holds_what_the_policy_refuses(client):
    """The demo co-op, walked as its admin and as a member: the public pages, the member's
    pages (the commitment bar included), and every admin page (Django's own templates, those
    of the libraries, and ours)."""
    call_command("seed_demo", stdout=io.StringIO())
    from governance.models import Proposal

    first_rows = {model: model.objects.order_by("pk").first() for model in admin.site._registry}
    proposal = Proposal.objects.filter(status="open").first()
    first_rows[Proposal] = proposal
    from django_celery_beat.models import PeriodicTask

    first_rows[PeriodicTask] = (
        PeriodicTask.objects.exclude(crontab=None).first() or a_scheduled_task()
    )

    pages = ["/", "/apply/", reverse("account_login"), reverse("account_reset_password")]
    steward_slug = client.get("/apply/").context["stewards"][0].slug
    pages.append(reverse("resellers:apply", args=[steward_slug]))
    seen = []
    offenders = {}

    def walk(paths):
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 302, 403), (path, response.status_code)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                assert_strict_policy(response)
                found = inline_parts(response.content.decode())
                if found:
                    offenders[path] = found
                seen.append(response.content.decode())

    walk(pages)
    member = User.objects.get(email="member01@example.org")
    client.force_login(member)
    walk(["/me/", "/contributions/", "/governance/", reverse("account_email")])
    # An open proposal past its closing time (after the member's pages, which would close it):
    # its admin page has the "close now" button.
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now())
    client.force_login(User.objects.get(email="admin@meet.coop.example"))
    walk([reverse("admin:index"), *admin_pages(first_rows)])

    assert offenders == {}
    assert len(seen) > 40
    everything = "".join(seen)
    # The pages that had inline parts before were among those walked.
    for marker in ('id="commitment-progress"', 'id="readable-crontabs"', "js/apply.js"):
        assert marker in everything
    assert 'class="inline-form"' in everything  # the proposal's "close now" button


def a_scheduled_task():
    """A task on a crontab schedule (the migrations make some; a transactional test before this
    one may have flushed them)."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    crontab, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="2")
    return PeriodicTask.objects.create(
        name="CSP check", task="standing.tasks.recompute_status_nightly", crontab=crontab
    )
