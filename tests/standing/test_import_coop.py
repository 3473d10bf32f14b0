"""Importing the co-op's existing records (issue 16): the sample files import cleanly, a file
with errors writes nothing and names each error, a second import changes nothing, XLSX reads
like CSV, and the first nightly run after an import gives each member the status the rules
say, with reasons."""

import datetime
import io
import pathlib
from decimal import Decimal

import pytest
import tablib
from django.utils import timezone, translation
from django.utils.translation import gettext

from contributions.models import LedgerEntry
from governance.models import Attendance, Circle, CircleRole, Meeting
from meetcoop.core.models import AuditEntry
from meetcoop.users.models import User
from membership.models import (
    Member,
    MemberContact,
    Membership,
    StatusChange,
    TermsAcceptance,
)
from membership.reasons import reason_text
from membership.services import erasure_request
from standing.models import ImportedRecord, ImportRun, erased_import_id
from standing.services import coop_import, erasure_confirm, status_recompute
from tests.factories import (
    CoopStewardFactory,
    ServiceLevelFactory,
    TermsVersionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "docs" / "import-samples"
TODAY = datetime.date(2026, 1, 10)
TABLES = [
    Member,
    MemberContact,
    User,
    Membership,
    StatusChange,
    TermsAcceptance,
    CircleRole,
    Meeting,
    Attendance,
    LedgerEntry,
    ImportedRecord,
]


@pytest.fixture
def coop(db):
    """What the sample files refer to: the co-op steward, the Free level, two circles and
    the published terms."""
    CoopStewardFactory()
    ServiceLevelFactory(code="free", minimum_amount=Decimal("0"))
    Circle.objects.create(slug="tech", name="Tech")
    Circle.objects.create(slug="outreach", name="Outreach")
    published = timezone.make_aware(datetime.datetime(2024, 1, 1))
    for document in ("terms_of_use", "fair_use"):
        TermsVersionFactory(document=document, version="1.0", published_at=published)
    return UserFactory(email="importer@example.org", is_superuser=True, is_staff=True)


def sample_files(**replace):
    files = {p.name: p.read_bytes() for p in sorted(SAMPLES.glob("*.csv"))}
    for name, text in replace.items():
        files[name.replace("_", ".")] = text.encode()
    return list(files.items())


def counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def test_the_sample_files_import_cleanly(coop):
    result = coop_import(files=sample_files(), actor=coop, today=TODAY)

    assert result.errors == []
    assert result.written
    assert result.counts == {
        "members": 5,
        "contacts": 6,
        "memberships": 6,
        "terms": 4,
        "seats": 4,
        "meetings": 3,
        "attendance": 7,
        "contributions": 6,
    }
    nandu = Member.objects.get(email="hola@nandu.example")
    assert nandu.display_name == "Cooperativa Ñandú"
    assert nandu.language == "ca" and nandu.country == "ES"
    assert set(nandu.contacts.values_list("email", flat=True)) == {
        "nuria@nandu.example",
        "jordi@nandu.example",
    }
    assert MemberContact.objects.get(user__email="nuria@nandu.example").is_primary
    jordi = User.objects.get(email="jordi@nandu.example")
    assert not jordi.has_usable_password() and jordi.language == "es"
    assert jordi.emailaddress_set.get().verified
    assert set(nandu.memberships.values_list("type", "status")) == {
        ("operational", "active"),
        ("user", "active"),
    }
    ended = Membership.objects.get(member__email="linus@example.org")
    assert ended.status == "ended" and ended.ended_on == datetime.date(2025, 5, 1)
    ada_op = Membership.objects.get(member__email="ada@example.org")
    assert ada_op.applied_on == datetime.date(2025, 1, 5)
    assert ada_op.status_changes.get().note == "Imported from the co-op's records."
    # Money in another currency is valued like the ledger does: amount x rate, approved.
    cad = LedgerEntry.objects.get(currency="CAD")
    assert cad.eur_value == Decimal("408.00") and cad.status == "approved"
    assert cad.decided_by == coop and cad.logged_by == coop
    assert timezone.localdate(cad.decided_at) == datetime.date(2025, 2, 15)
    labour = LedgerEntry.objects.filter(kind="labour")
    assert sum(e.hours for e in labour) == Decimal("14.50")
    assert {e.circle.slug for e in labour} == {"tech"}
    assert Meeting.objects.filter(attendance_recorded_at__isnull=False).count() == 3
    assert Attendance.objects.count() == 7
    # The run: who, the files' hashes, the counts, audited.
    run = ImportRun.objects.get()
    assert run.outcome == "written" and run.actor == coop and not run.dry_run
    assert {f["name"] for f in run.files} == {p.name for p in SAMPLES.glob("*.csv")}
    assert all(len(f["sha256"]) == 64 for f in run.files)
    entry = AuditEntry.objects.get(action="standing.import.written")
    assert entry.actor == coop and entry.data["counts"]["members"] == 5
    assert ImportedRecord.objects.count() == sum(result.counts.values())


def test_money_imported_without_a_description_reads_money_in_the_readers_language(coop):
    contributions = (
        (SAMPLES / "contributions.csv")
        .read_text()
        .replace("2025-06-01,First half of the commitment,", "2025-06-01,,")
    )
    result = coop_import(
        files=sample_files(contributions_csv=contributions), actor=coop, today=TODAY
    )

    assert result.errors == []
    entry = LedgerEntry.objects.get(occurred_on=datetime.date(2025, 6, 1))
    assert (entry.description, entry.description_code) == ("", "money")
    with translation.override("fr"):
        assert entry.description_words == gettext("Money") != "Money"


def test_a_dry_run_checks_everything_and_writes_nothing(coop):
    before = counts()

    result = coop_import(files=sample_files(), actor=coop, dry_run=True, today=TODAY)

    assert result.errors == [] and result.counts["contributions"] == 6
    assert counts() == before
    assert ImportRun.objects.get().outcome == "checked"


def test_a_file_with_errors_on_several_lines_writes_nothing_and_names_each(coop):
    members = (
        "id,kind,name,organisation_name,email,language,country\n"
        "M001,person,Ada,,ada@example.org,en,GB\n"
        "M002,organisation,Núria,,not-an-email,xx,ZZ\n"
        "M001,person,Twice,,twice@example.org,en,\n"
    )
    memberships = (
        "id,member,type,steward,level,status,policy_date,admitted_on,ended_on\n"
        "MS001,M001,operational,meet-coop,,active,2025-01-05,2025-01-15,\n"
        "MS002,M001,operational,meet-coop,,active,2025-01-05,2025-01-15,\n"
        "MS003,M404,user,nowhere,,ended,05/01/2025,,\n"
    )
    contributions = (
        "id,member,kind,date,description,amount,currency,eur_rate,hours,circle\n"
        "L001,M001,labour,2025-05-02,Work,,,,30,tech\n"
        "L002,M001,money,2025-05-02,,12.345,XYZ,,,\n"
        "L003,M001,money,2030-01-01,,10,CAD,,,\n"
    )
    before = counts()

    result = coop_import(
        files=[
            ("members.csv", members.encode()),
            ("memberships.csv", memberships.encode()),
            ("contributions.csv", contributions.encode()),
        ],
        actor=coop,
        today=TODAY,
    )

    assert not result.written
    assert counts() == before
    found = {(e.file, e.line, e.column) for e in result.errors}
    assert {
        ("members.csv", 3, "organisation_name"),
        ("members.csv", 3, "email"),
        ("members.csv", 4, "id"),
        ("memberships.csv", 3, "type"),
        ("memberships.csv", 4, "member"),
        ("contributions.csv", 2, "hours"),
        ("contributions.csv", 3, "amount"),
        ("contributions.csv", 4, "date"),
    } <= found
    text = "\n".join(str(e) for e in result.errors)
    assert "members.csv:4: id: The id M001 is used twice (first at members.csv:2)." in text
    assert "memberships.csv:3: type: This member already holds a membership of this type." in text
    assert "memberships.csv:4: member: No row of members with the id M404" in text
    assert "contributions.csv:2: hours: Hours must be between 0.25 and 24" in text
    assert "contributions.csv:4: date: The date can't be in the future." in text
    run = ImportRun.objects.get()
    assert run.outcome == "refused" and run.errors == len(result.errors)


def test_more_errors_each_named(coop):
    files = sample_files(
        members_csv=(
            "id,kind,name,organisation_name,email,language,country,postal_address\n"
            "M001,person,Ada Lovelace,,ada@example.org,en,GB,\n"
            "M002,organisation,Núria Puig,Cooperativa Ñandú,hola@nandu.example,xx,ES,\n"
            "M003,person,Grace Hopper,,grace@example.org,en,US,\n"
            "M004,person,Kenji Sato,,kenji@example.org,fr,FR,\n"
            "M005,person,Linus Berg,,linus@example.org,de,DE,\n"
        ),
        seats_csv=(
            "id,member,circle,role,started_on,ended_on\n"
            "S001,M001,nowhere,coordinator,2025-01-15,\n"
            "S002,M002,outreach,boss,2025-02-10,2025-01-01\n"
        ),
        terms_csv="id,member,document,version\nT1,M001,terms_of_use,9.9\n",
    )

    result = coop_import(files=files, actor=coop, today=TODAY)

    where = {(e.file, e.line, e.column): e.reason for e in result.errors}
    assert where[("members.csv", 3, "language")] == "Must be one of: en, ca, es, fr, de."
    assert where[("seats.csv", 2, "circle")] == "No circle with the slug or name nowhere."
    assert ("seats.csv", 3, "role") in where
    assert where[("terms.csv", 1, "accepted_on")] == "This column is missing."
    assert Member.objects.count() == 0


def test_a_second_import_of_the_same_files_changes_nothing(coop):
    coop_import(files=sample_files(), actor=coop, today=TODAY)
    before = counts()

    again = coop_import(files=sample_files(), actor=coop, today=TODAY)

    assert again.errors == [] and again.written
    assert sum(again.counts.values()) == 0
    assert again.skipped["members"] == 5 and again.skipped["contributions"] == 6
    assert counts() == before
    # A row whose id is known is left as it was, even when the file now says otherwise.
    changed = coop_import(
        files=[
            (
                "members.csv",
                b"id,kind,name,email\nM001,person,Someone Else,else@example.org\n"
                b"M006,person,New Person,new@example.org\n",
            )
        ],
        actor=coop,
        today=TODAY,
    )
    assert changed.counts["members"] == 1 and changed.skipped["members"] == 1
    assert Member.objects.filter(name="Ada Lovelace").exists()
    assert not Member.objects.filter(name="Someone Else").exists()


def test_an_erased_members_email_used_as_its_import_id_is_gone_and_still_known(coop):
    """A co-op that used a member's email as its id for the member: the erasure takes the
    email out of the import's records too, and the same files imported again still skip the
    member's rows (they don't bring the person back); a new row naming that id still finds
    the member."""
    email = "linus@example.org"
    files = [(name, data.replace(b"M005,", email.encode() + b",")) for name, data in sample_files()]
    coop_import(files=files, actor=coop, today=TODAY)
    member = Member.objects.get(name="Linus Berg")
    assert ImportedRecord.objects.filter(kind="members", external_id=email).exists()

    erasure_confirm(request=erasure_request(member=member, actor=coop), actor=coop)

    assert not ImportedRecord.objects.filter(external_id__icontains="linus").exists()
    record = ImportedRecord.objects.get(kind="members", object_id=member.pk)
    assert record.external_id == erased_import_id(email)
    before = counts()
    again = coop_import(files=files, actor=coop, today=TODAY)
    assert again.errors == [] and sum(again.counts.values()) == 0
    assert again.skipped["members"] == 5 and counts() == before
    assert not Member.objects.filter(email=email).exists()
    later = (
        "id,member,type,steward,level,status,policy_date,admitted_on,ended_on\n"
        f"MS100,{email},user,meet-coop,free,ended,2024-06-01,2024-06-01,2025-06-01\n"
    )
    result = coop_import(files=[("memberships.csv", later.encode())], actor=coop, today=TODAY)
    assert result.errors == [] and result.counts["memberships"] == 1
    assert member.memberships.count() == 2


def test_a_later_import_refers_to_rows_of_an_earlier_one(coop):
    coop_import(files=sample_files(), actor=coop, today=TODAY)
    extra = (
        "id,meeting,member\n"
        "A100,AH-2025-09,M004\n"  # both imported before
        "A101,AH-2025-09,M001\n"  # already present
    )

    result = coop_import(files=[("attendance.csv", extra.encode())], actor=coop, today=TODAY)

    assert [(e.line, e.column) for e in result.errors] == [(3, "member")]
    assert Attendance.objects.count() == 7


def test_an_xlsx_workbook_with_a_sheet_per_kind_reads_like_the_csv_files(coop):
    book = tablib.Databook()
    for path in sorted(SAMPLES.glob("*.csv")):
        sheet = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
        sheet.title = path.stem
        book.add_sheet(sheet)
    data = book.export("xlsx")

    result = coop_import(files=[("coop.xlsx", data)], actor=coop, today=TODAY)

    assert result.errors == []
    assert result.counts["members"] == 5 and result.counts["attendance"] == 7
    assert LedgerEntry.objects.get(currency="CAD").eur_value == Decimal("408.00")


def test_an_xlsx_error_names_the_sheet_and_line(coop):
    sheet = tablib.Dataset(headers=["id", "kind", "name", "email"])
    sheet.append(["M1", "person", "Ada", "ada@example.org"])
    sheet.append(["M2", "robot", "R2", "r2@example.org"])
    sheet.title = "members"
    book = tablib.Databook([sheet])
    buffer = io.BytesIO(book.export("xlsx"))

    result = coop_import(files=[("records.xlsx", buffer.getvalue())], actor=coop, today=TODAY)

    assert [str(e) for e in result.errors] == [
        "records.xlsx[members]:3: kind: Must be one of: person, organisation."
    ]


def test_the_first_nightly_run_after_an_import_gives_each_member_the_status_the_rules_say(coop):
    coop_import(files=sample_files(), actor=coop, today=TODAY)

    # In January 2026 every open membership is in good standing: Ada and Ñandú met their
    # commitment and attend; Kenji's deadline (20 April 2026) has not come yet.
    run, evaluations = status_recompute(on=TODAY, source="nightly")
    assert run.state == "finished" and run.lapsed == 0 and run.evaluated == 5

    # After Kenji's deadline, the next nightly run lapses him, and only him, saying why.
    on = datetime.date(2026, 5, 1)
    run, evaluations = status_recompute(on=on, source="nightly")
    assert run.lapsed == 1
    kenji = Membership.objects.get(member__email="kenji@example.org")
    assert kenji.status == "lapsed"
    change = kenji.status_changes.order_by("-changed_at", "-id").first()
    assert change.new_status == "lapsed" and change.source == "nightly"
    failed = [reason["code"] for reason in change.reasons if not reason["ok"]]
    assert failed == ["commitment_overdue"]
    why = " ".join(reason_text(r) for r in change.reasons if not r["ok"])
    assert "86%" in why or "86 %" in why
    assert set(
        Membership.objects.exclude(member__email__in=["kenji@example.org", "linus@example.org"])
        .values_list("status", flat=True)
        .distinct()
    ) == {"active"}
