"""The register of members (issue 16): the selector, its files and the command."""

import datetime
import io

import pytest

from meetcoop.core.errors import DomainError
from meetcoop.core.models import AuditEntry
from membership.management.commands.member_register import Command
from membership.models import Member, StatusChange
from membership.register import CSV_HEADER, register_csv_lines, register_pdf
from membership.selectors import member_register, register_kept_since
from membership.services import member_register_read
from tests.contributions.test_invoice_pages import pdf_text
from tests.factories import (
    MemberFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def ceased():
    """Ada, admitted on 15 January 2024, ceased on 30 June 2025; a policy keeping former
    members two years."""
    PolicyFactory(effective_from=D(2020, 1, 1), register_retention_years=2)
    member = MemberFactory(name="Ada Lovelace", postal_address="1 Analytical Row\nLondon")
    return MembershipFactory(
        member=member,
        steward=StewardFactory(name="Maple Rooms"),
        status="ended",
        admitted_on=D(2024, 1, 15),
        ended_on=D(2025, 6, 30),
    )


def names(on):
    return [row.name for row in member_register(on=on)]


def test_before_a_member_ceased_they_are_listed_without_a_ceasing_day(ceased):
    (row,) = member_register(on=D(2025, 6, 29))
    assert row.member_number == ceased.member_id
    assert row.name == "Ada Lovelace"
    assert row.address == "1 Analytical Row\nLondon"
    assert row.country == "ES"
    assert row.type == "user"
    assert row.admitted_on == D(2024, 1, 15)
    assert row.ceased_on is None
    assert row.steward == "Maple Rooms"
    assert row.status == "active"


@pytest.mark.parametrize("on", [D(2025, 6, 30), D(2026, 1, 1)])
def test_after_a_member_ceased_they_are_listed_with_the_day(ceased, on):
    (row,) = member_register(on=on)
    assert row.ceased_on == D(2025, 6, 30)
    assert row.status == "ended"


def test_a_former_member_leaves_the_register_after_the_retention_period(ceased):
    assert names(D(2027, 6, 30)) == ["Ada Lovelace"]  # two years after, to the day
    assert names(D(2027, 7, 1)) == []


def test_the_retention_is_the_policy_in_force_on_the_day(ceased):
    ceased.steward  # noqa: B018 - the fixture's policy keeps two years until 2027
    PolicyFactory(effective_from=D(2027, 7, 1), register_retention_years=10)
    assert names(D(2027, 6, 30)) == ["Ada Lovelace"]
    # From 1 July 2027 the policy keeps ten years: Ada is still in the register.
    assert names(D(2027, 7, 1)) == ["Ada Lovelace"]
    assert names(D(2035, 6, 30)) == ["Ada Lovelace"]
    assert names(D(2035, 7, 1)) == []


def test_no_policy_on_the_day_is_refused():
    with pytest.raises(DomainError, match="No policy is in force"):
        member_register(on=D(2019, 1, 1))


def test_a_membership_admitted_after_the_day_or_never_is_not_in_the_register(policy):
    MembershipFactory(member=MemberFactory(name="Later"), admitted_on=D(2025, 3, 1))
    MembershipFactory(member=MemberFactory(name="Pending"), status="pending", admitted_on=None)
    MembershipFactory(member=MemberFactory(name="Now"), admitted_on=D(2025, 2, 28))
    assert names(D(2025, 2, 28)) == ["Now"]
    assert names(D(2025, 3, 1)) == ["Now", "Later"]


def test_an_organisation_shows_its_name_and_its_contact_person_and_email(policy):
    organisation = MemberFactory(
        kind=Member.Kind.ORGANISATION,
        organisation_name="Tecnoliga SCCL",
        name="Núria Pérez",
        email="hola@tecnoliga.example",
    )
    MembershipFactory(member=organisation)
    MembershipFactory(member=MemberFactory(name="Ada Lovelace"), admitted_on=D(2024, 1, 16))
    org, person = member_register(on=D(2025, 1, 1))
    assert (org.name, org.contact_person, org.address) == (
        "Tecnoliga SCCL",
        "Núria Pérez",
        "hola@tecnoliga.example",  # no postal address: the email
    )
    assert org.kind == "organisation"
    assert (person.name, person.contact_person) == ("Ada Lovelace", "")


def test_a_member_with_two_types_appears_once_per_type_in_order(policy):
    member = MemberFactory(name="Both")
    OperationalMembershipFactory(member=member, admitted_on=D(2024, 3, 1))
    MembershipFactory(member=member, admitted_on=D(2024, 2, 1))
    first = MembershipFactory(member=MemberFactory(name="First"), admitted_on=D(2024, 1, 1))
    rows = member_register(on=D(2025, 1, 1))
    assert [(r.name, r.type) for r in rows] == [
        ("First", "user"),
        ("Both", "user"),
        ("Both", "operational"),
    ]
    assert rows[0].member_number == first.member_id


def test_the_status_is_the_one_in_force_on_the_day(policy):
    membership = MembershipFactory(status="lapsed", admitted_on=D(2024, 1, 15))
    StatusChange.objects.create(
        membership=membership,
        old_status="pending",
        new_status="active",
        effective_on=D(2024, 1, 15),
        source="application",
    )
    StatusChange.objects.create(
        membership=membership,
        old_status="active",
        new_status="lapsed",
        effective_on=D(2024, 6, 1),
        source="nightly",
    )
    assert member_register(on=D(2024, 5, 31))[0].status == "active"
    assert member_register(on=D(2024, 6, 1))[0].status == "lapsed"


def test_the_register_reads_in_two_queries_whatever_the_number(policy, django_assert_num_queries):
    MembershipFactory.create_batch(3)
    with django_assert_num_queries(2):
        assert len(member_register(on=D(2025, 1, 1))) == 3
    MembershipFactory.create_batch(20)
    OperationalMembershipFactory.create_batch(5)
    with django_assert_num_queries(2):
        assert len(member_register(on=D(2025, 1, 1))) == 28


@pytest.mark.parametrize(
    ("on", "years", "since"),
    [
        (D(2027, 7, 1), 2, D(2025, 7, 1)),
        (D(2028, 2, 29), 10, D(2018, 3, 1)),  # 28 Feb 2018 + 10 years is 28 Feb 2028
        (D(2028, 2, 29), 4, D(2024, 2, 29)),
        (D(5, 1, 1), 10, D.min),
    ],
)
def test_the_first_ceasing_day_kept(on, years, since):
    assert register_kept_since(on=on, years=years) == since


# --- the files ---------------------------------------------------------------------------------


def test_the_csv_is_formula_safe(policy):
    MembershipFactory(member=MemberFactory(name="=cmd|' /C calc'!A0", postal_address="+1 Road"))
    lines = list(register_csv_lines(member_register(on=D(2025, 1, 1))))
    assert lines[0] == ",".join(CSV_HEADER) + "\r\n"
    assert "'=cmd|' /C calc'!A0" in lines[1]
    assert ",'+1 Road," in lines[1]
    assert ",2024-01-15,," in lines[1]


def test_the_pdf_lists_the_members(ceased):
    data = register_pdf(member_register(on=D(2026, 1, 1)), on=D(2026, 1, 1), compress=False)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Register of members as at Jan 1, 2026" in text
    assert "Ada Lovelace" in text
    assert "Jun 30, 2025" in text


def test_every_reading_is_audited(ceased):
    user = UserFactory()
    rows = member_register_read(on=D(2026, 1, 1), format="pdf", actor=user)
    entry = AuditEntry.objects.get(action="membership.register.read")
    assert entry.actor == user
    assert entry.data == {"on": "2026-01-01", "format": "pdf", "via": "web", "rows": len(rows)}


# --- the command -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """``run_from_argv`` closes every connection when it ends, as a process exits; the test
    keeps its own (its transaction holds the test's rows)."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)


def run(*argv):
    """Run the command as ``manage.py`` does: its output, its errors and its exit code."""
    out, err = io.StringIO(), io.StringIO()
    command = Command(stdout=out, stderr=err)
    code = 0
    try:
        command.run_from_argv(["manage.py", "member_register", *argv])
    except SystemExit as exit:
        code = exit.code
    return out.getvalue(), err.getvalue(), code


def test_the_command_prints_the_register_as_csv_and_is_audited(ceased):
    out, err, code = run("--on", "2026-01-01")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == ",".join(CSV_HEADER)
    assert lines[1].startswith(f'{ceased.member_id},Ada Lovelace,,"1 Analytical Row')
    assert "2024-01-15,2025-06-30,Maple Rooms,ended" in out
    entry = AuditEntry.objects.get(action="membership.register.read")
    assert entry.actor is None
    assert entry.data == {"on": "2026-01-01", "format": "csv", "via": "command", "rows": 1}


def test_the_command_records_who_ran_it(ceased):
    user = UserFactory(email="ops@example.org")
    out, _err, code = run("--on", "2027-07-01", "--by", "OPS@example.org")
    assert code == 0
    assert out.splitlines() == [",".join(CSV_HEADER)]  # Ada left the register
    assert AuditEntry.objects.get(action="membership.register.read").actor == user


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--on", "2026-13-01"], "--on must be YYYY-MM-DD, not '2026-13-01'."),
        (["--on", "2019-01-01"], "No policy is in force on Jan 1, 2019."),
        (["--on", "2026-01-01", "--by", "nobody@example.org"], "No login with the email"),
    ],
)
def test_the_command_refuses_bad_input_in_one_line(ceased, argv, message):
    out, err, code = run(*argv)
    assert code == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not AuditEntry.objects.filter(action="membership.register.read").exists()
