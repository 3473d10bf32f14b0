"""``seed_demo`` is quiet: the demo's emails are kept (in memory or as files), never printed
or sent, and it ends with the accounts to sign in with, named exactly."""

import io
import logging

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
