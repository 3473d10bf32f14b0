"""``manage.py import_coop`` and the admin's import page: counts or errors, exit 1 and never
a traceback, the dry run first, and only co-op admins."""

import datetime
import io
import pathlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from governance.models import Circle
from meetcoop.core.models import AuditEntry
from membership.models import Member
from standing.models import ImportRun
from tests.factories import (
    CoopStewardFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    TermsVersionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "docs" / "import-samples"
URL = "/admin/standing/importrun/import/"


@pytest.fixture
def coop(db):
    CoopStewardFactory()
    ServiceLevelFactory(code="free", minimum_amount=Decimal("0"))
    Circle.objects.create(slug="tech", name="Tech")
    Circle.objects.create(slug="outreach", name="Outreach")
    published = timezone.make_aware(datetime.datetime(2024, 1, 1))
    for document in ("terms_of_use", "fair_use"):
        TermsVersionFactory(document=document, version="1.0", published_at=published)
    return UserFactory(email="importer@example.org", is_superuser=True, is_staff=True)


def samples():
    return [str(p) for p in sorted(SAMPLES.glob("*.csv"))]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_coop", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_the_samples_and_a_second_time_changes_nothing(coop):
    out, _err = run(*samples(), "--by", "importer@example.org")
    assert "members: 5 new, 0 already imported (left unchanged)." in out
    assert Member.objects.count() == 5
    assert ImportRun.objects.get().actor == coop

    out, _err = run(*samples())
    assert "members: 0 new, 5 already imported (left unchanged)." in out
    assert Member.objects.count() == 5


def test_a_dry_run_prints_the_counts_and_writes_nothing(coop):
    out, _err = run(*samples(), "--dry-run")
    assert "contributions: 6 new" in out and "nothing was written" in out
    assert Member.objects.count() == 0


def test_errors_are_listed_one_per_line_and_the_command_fails(coop, tmp_path):
    bad = tmp_path / "members.csv"
    bad.write_text("id,kind,name,email\nM1,robot,R2,r2@example.org\nM2,person,,x@example.org\n")
    with pytest.raises(CommandError, match="2 errors: nothing was written."):
        run(str(bad))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_coop", str(bad), stderr=err)
    assert err.getvalue().splitlines() == [
        "members.csv:2: kind: Must be one of: person, organisation.",
        "members.csv:3: name: A value is required.",
    ]
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "Can't read"),
        ("notes.txt", b"hello", "Not a file this import reads"),
        ("members.csv", b"\xff\xfe\x00bad", "not UTF-8"),
        ("book.xlsx", b"not a workbook", "can't be read"),
    ],
)
def test_an_unreadable_file_fails_with_a_message_not_a_traceback(
    coop, tmp_path, name, content, message
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_coop", str(path), stderr=err)
    assert message in str(raised.value) + err.getvalue()


def test_an_unknown_by_is_refused(coop):
    with pytest.raises(CommandError, match="No login with the email"):
        run(*samples(), "--by", "nobody@example.org")


def _uploads():
    return [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in sorted(SAMPLES.glob("*.csv"))
    ]


def test_the_admin_page_checks_then_writes_the_same_files(client, coop):
    client.force_login(coop)
    assert client.get(reverse("admin:standing_importrun_changelist")).status_code == 200
    page = client.get(URL)
    assert page.status_code == 200 and b"Check files" in page.content

    checked = client.post(URL, {"files": _uploads()})
    assert checked.status_code == 200
    assert b"Every row is valid" in checked.content
    assert Member.objects.count() == 0
    run = ImportRun.objects.get(outcome="checked")

    # Other files than those checked are refused.
    other = SimpleUploadedFile("members.csv", b"id,kind,name,email\n", content_type="text/csv")
    refused = client.post(URL, {"files": [other], "checked": run.pk})
    assert refused.status_code == 400
    assert b"These are not the files you checked" in refused.content
    assert Member.objects.count() == 0

    written = client.post(URL, {"files": _uploads(), "checked": run.pk})
    assert written.status_code == 302
    assert Member.objects.count() == 5
    assert AuditEntry.objects.filter(action="standing.import.written", actor=coop).exists()


def test_the_admin_page_lists_the_errors_and_writes_nothing(client, coop):
    client.force_login(coop)
    bad = SimpleUploadedFile(
        "members.csv", b"id,kind,name,email\nM1,robot,R2,r2@example.org\n", content_type="text/csv"
    )
    page = client.post(URL, {"files": [bad]})
    assert page.status_code == 400
    assert b"Must be one of: person, organisation." in page.content
    assert Member.objects.count() == 0


def test_only_coop_admins_import(client, coop):
    steward_admin = StewardAdminFactory()
    client.force_login(steward_admin)
    assert client.get(URL).status_code in (302, 403)
    assert client.post(URL, {"files": _uploads()}).status_code in (302, 403)
    assert Member.objects.count() == 0
