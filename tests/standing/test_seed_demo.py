"""``seed_demo`` is quiet: the demo's emails are kept (in memory or as files), never printed
or sent, and it ends with the accounts to sign in with, named exactly."""

import io
import logging
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from standing.demo import mail as demo_mail

# The demo commits, and its emails go after the commit: real transactions here.
pytestmark = pytest.mark.django_db(transaction=True)


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_the_demo_prints_a_short_summary_and_sends_nothing(capsys, caplog):
    caplog.set_level(logging.INFO)
    backend = settings.EMAIL_BACKEND
    output = seed()
    printed = capsys.readouterr()
    assert len(output.splitlines()) <= 25
    assert "Subject:" not in output + printed.out + printed.err  # no email printed anywhere
    assert not [r for r in caplog.records if r.name.startswith(("celery", "kombu"))]
    kept = len(demo_mail.KEPT)
    assert kept > 0 and f"{kept} emails the demo would have sent: not sent" in output
    assert mail.outbox == []  # the configured backend got none of them
    assert backend == settings.EMAIL_BACKEND  # and is back in place afterwards


def test_the_demo_writes_its_emails_to_a_folder_when_asked(tmp_path):
    output = seed(emails_to=str(tmp_path / "mails"))
    files = sorted((tmp_path / "mails").glob("*.eml"))
    assert files and len(files) == len(demo_mail.KEPT)
    assert f"written to {tmp_path / 'mails'}" in output
    assert b"Subject:" in files[0].read_bytes()


def test_the_summary_names_the_accounts_of_each_journey_exactly():
    output = seed()
    lines = {line.split(":", 1)[0].strip(): line for line in output.splitlines()}
    assert "admin@meet.coop.example / admin" in lines["co-op admin"]
    assert "treasurer@meet.coop.example / demo-password" in lines["treasurer"]
    for slug in ["meet-coop", "comuns-reunits", "maple-rooms", "nordwind"]:
        assert f"admin@{slug}.example" in lines["steward admins"]
    assert "member01@example.org (Tech)" in lines["coordinators"]
    assert "<steward-slug>" not in output


def test_the_readmes_first_screen_names_demo_accounts_that_exist_in_their_roles():
    """The journeys under the two commands name real demo accounts, each in the role it is
    named for."""
    from pathlib import Path

    from django.conf import settings as django_settings

    from governance.models import CircleRole
    from meetcoop.core.roles import is_coop_admin, is_treasurer
    from meetcoop.users.models import User
    from resellers.models import Steward

    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    first_screen = readme.split("An open-source membership platform", 1)[0]
    assert "make run" in first_screen.split("| journey |", 1)[0]  # right under the commands
    seed()
    emails = set(re.findall(r"`([\w.-]+@[\w.-]+)`", first_screen))
    emails.discard("member40@example.org")  # the end of a range
    assert {"admin@maple-rooms.example", "treasurer@meet.coop.example"} <= emails
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    assert set(users) == emails
    for slug in ["maple-rooms", "meet-coop", "comuns-reunits", "nordwind"]:
        assert Steward.objects.get(slug=slug).admins.filter(email=f"admin@{slug}.example").exists()
    assert is_treasurer(users["treasurer@meet.coop.example"])
    assert is_coop_admin(users["admin@meet.coop.example"])
    assert CircleRole.objects.filter(
        role="coordinator",
        circle__name="Tech",
        member__contact_links__user__email="member01@example.org",
        ended_on__isnull=True,
    ).exists()
    for number, circle in [("02", "Outreach"), ("03", "Finance"), ("04", "Membership")]:
        assert CircleRole.objects.filter(
            role="coordinator",
            circle__name=circle,
            member__contact_links__user__email=f"member{number}@example.org",
        ).exists()
