"""The import's edges: a malformed cell or file is an error naming where, never a crash; only
co-op admins import, and only the files they checked themselves; the checks and the writing
take the same number of queries whatever the number of rows."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contributions.models import LedgerEntry
from meetcoop.core.roles import TREASURERS, ensure_role_groups
from membership.models import Member
from standing.models import ImportRun
from standing.services import coop_import
from tests.factories import StewardAdminFactory, UserFactory
from tests.standing.test_import_coop import SAMPLES, TODAY, sample_files
from tests.standing.test_import_coop import coop as _coop_of_the_samples

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

coop = _coop_of_the_samples  # the co-op the sample files refer to (a fixture)

URL = "/admin/standing/importrun/import/"
CONTRIBUTIONS = (
    "id,member,kind,date,description,amount,currency,eur_rate,hours,circle,approved_by,"
    "approved_on\n"
)


def treasurer():
    ensure_role_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=TREASURERS))
    return user


def uploads(files):
    return [SimpleUploadedFile(name, data, content_type="text/csv") for name, data in files]


# --- malformed cells and files -----------------------------------------------------------------


@pytest.mark.parametrize(
    "row, column",
    [
        ("L9,M001,money,2025-01-20,Gift,1e30,EUR,,,,,", "amount"),
        ("L9,M001,money,2025-01-20,Gift,1E+400,EUR,,,,,", "amount"),
        ("L9,M002,money,2025-01-20,Gift,10.00,CAD,1e40,,,,", "eur_rate"),
        ("L9,M004,labour,2025-05-02,Docs,,,,1e50,tech,,", "hours"),
    ],
)
def test_a_huge_number_is_an_error_not_a_crash(coop, client, row, column):
    files = sample_files(contributions_csv=CONTRIBUTIONS + row + "\n")
    result = coop_import(files=files, actor=coop, today=TODAY)
    assert [(e.file, e.line, e.column) for e in result.errors] == [("contributions.csv", 2, column)]
    assert "too large" in result.errors[0].reason
    assert not result.written and LedgerEntry.objects.count() == 0

    client.force_login(coop)
    page = client.post(URL, {"files": uploads(files)})
    assert page.status_code == 400
    assert b"This number is too large." in page.content


def test_a_nul_character_is_an_error_naming_its_line(coop, client):
    members = b"id,kind,name,email\nM9,person,Ada\x00Lovelace,ada9@example.org\n"
    result = coop_import(files=[("members.csv", members)], actor=coop, today=TODAY)
    assert [(e.file, e.line) for e in result.errors] == [("members.csv", 2)]
    assert "NUL" in result.errors[0].reason
    assert not result.written and Member.objects.count() == 0

    client.force_login(coop)
    page = client.post(URL, {"files": uploads([("members.csv", members)])})
    assert page.status_code == 400
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("members.xlsx", b"PK\x03\x04 not really a workbook", "be read: "),
        ("members.csv", b"\xff\xfe\x00M", "not UTF-8"),
        (
            "members.csv",
            b"id,kind,name,email\nM9,person," + b"A" * 200_000 + b",a@b.example\n",
            "be read: ",
        ),
        ("notes.txt", b"hello", "Not a file this import reads"),
    ],
)
def test_an_unreadable_file_is_an_error_on_the_page(coop, client, name, data, reason):
    client.force_login(coop)
    page = client.post(URL, {"files": uploads([(name, data)])})
    assert page.status_code == 400
    assert reason in page.content.decode()
    assert Member.objects.count() == 0


# --- who imports -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["steward_admin", "treasurer", "member"])
def test_only_coop_admins_reach_the_import_and_its_runs(coop, client, who):
    checked = coop_import(files=sample_files(), actor=coop, dry_run=True, today=TODAY).run
    user = {
        "steward_admin": StewardAdminFactory,
        "treasurer": treasurer,
        "member": UserFactory,
    }[who]()
    client.force_login(user)
    for url in (
        URL,
        reverse("admin:standing_importrun_changelist"),
        reverse("admin:standing_importrun_change", args=[checked.pk]),
    ):
        assert client.get(url).status_code in (302, 403), url
    written = client.post(URL, {"files": uploads(sample_files()), "checked": checked.pk})
    assert written.status_code in (302, 403)
    # The service itself refuses them, whatever page calls it.
    with pytest.raises(PermissionDenied):
        coop_import(files=sample_files(), actor=user, today=TODAY)
    assert Member.objects.count() == 0
    assert ImportRun.objects.count() == 1


def test_the_command_refuses_a_by_who_is_not_a_coop_admin(coop):
    user = treasurer()
    with pytest.raises(CommandError, match="not a co-op admin"):
        call_command("import_coop", *map(str, sorted(SAMPLES.glob("*.csv"))), "--by", user.email)
    assert Member.objects.count() == 0 and not ImportRun.objects.exists()


def test_a_coop_admin_cannot_write_with_another_admins_check(coop, client):
    checked = coop_import(files=sample_files(), actor=coop, dry_run=True, today=TODAY).run
    other = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(other)
    page = client.post(URL, {"files": uploads(sample_files()), "checked": checked.pk})
    assert page.status_code == 400
    assert b"These are not the files you checked" in page.content
    assert Member.objects.count() == 0
    # A check id that is no number, or names no run, is the same clear refusal.
    for value in ("999999", "x"):
        page = client.post(URL, {"files": uploads(sample_files()), "checked": value})
        assert page.status_code == 400
    assert Member.objects.count() == 0


# --- queries -----------------------------------------------------------------------------------


def records(n: int, offset: int = 0) -> list[tuple[str, bytes]]:
    """``n`` members, each with a login, a user membership and a money contribution."""
    ids = range(offset, offset + n)
    members = "id,kind,name,email\n" + "".join(
        f"X{i},person,Person {i},p{i}@example.org\n" for i in ids
    )
    contacts = "id,member,email,main\n" + "".join(f"XC{i},X{i},p{i}@example.org,yes\n" for i in ids)
    memberships = "id,member,type,steward,level,status,admitted_on\n" + "".join(
        f"XM{i},X{i},user,meet-coop,free,active,2025-03-01\n" for i in ids
    )
    contributions = CONTRIBUTIONS + "".join(
        f"XL{i},X{i},money,2025-03-02,,25.00,EUR,,,,,\n" for i in ids
    )
    return [
        ("members.csv", members.encode()),
        ("contacts.csv", contacts.encode()),
        ("memberships.csv", memberships.encode()),
        ("contributions.csv", contributions.encode()),
    ]


def test_the_import_takes_the_same_queries_for_3_or_25_members(coop):
    # 25, not more: SQLite takes at most 999 parameters in a statement, so a bulk insert of
    # more ledger entries (about 30 columns each) is sent in two batches, a constant number
    # per batch; what this test guards is no query per member. One import first, so that a
    # cache the first import of a process fills (content types) is warm for both runs alike.
    coop_import(files=records(1, 200), actor=coop, today=TODAY)
    counted = []
    for n, offset in ((3, 0), (25, 100)):
        with CaptureQueriesContext(connection) as queries:
            result = coop_import(files=records(n, offset), actor=coop, today=TODAY)
        assert result.written, result.errors[:3]
        counted.append(len(queries))
    assert counted[0] == counted[1], counted
    assert Member.objects.count() == 29
