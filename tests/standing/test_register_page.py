"""The register of members' page, CSV and PDF (``/reports/register/``): co-op admins only,
as at a day they choose, every reading audited."""

import datetime

import pytest
from django.contrib.auth.models import Group
from freezegun import freeze_time

from meetcoop.core.models import AuditEntry
from meetcoop.core.roles import TREASURERS
from standing import register_views
from tests.contributions.test_invoice_pages import pdf_text
from tests.factories import (
    MemberFactory,
    MembershipFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
PAGE = "/reports/register/"
CSV = "/reports/register/csv/"
PDF = "/reports/register/pdf/"


@pytest.fixture
def world():
    PolicyFactory(effective_from=D(2020, 1, 1), register_retention_years=2)
    steward = StewardFactory(name="Maple Rooms")
    ceased = MembershipFactory(
        member=MemberFactory(name="Ada Lovelace"),
        steward=steward,
        status="ended",
        admitted_on=D(2024, 1, 15),
        ended_on=D(2025, 6, 30),
    )
    active = MembershipFactory(
        member=MemberFactory(name="Grace Hopper", postal_address="7 Cobol Lane"),
        steward=steward,
        admitted_on=D(2024, 3, 1),
    )
    return {"steward": steward, "ceased": ceased, "active": active}


def treasurer():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return user


@pytest.mark.parametrize("url", [PAGE, CSV, PDF])
@pytest.mark.parametrize("who", ["member", "steward_admin", "treasurer"])
def test_only_co_op_admins_read_the_register(client, world, url, who):
    user = {
        "member": UserFactory,
        "steward_admin": lambda: StewardAdminFactory(stewards=[world["steward"]]),
        "treasurer": treasurer,
    }[who]()
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="membership.register.read").exists()


@pytest.mark.parametrize("url", [PAGE, CSV, PDF])
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_page_before_a_member_ceased(client, coop_admin, world):
    client.force_login(coop_admin)
    response = client.get(PAGE, {"on": "2025-06-29"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Register of members as at Jun 29, 2025</caption>" in html
    assert "2 memberships on the register." in html
    assert [(r.name, r.ceased_on) for r in response.context["rows"]] == [
        ("Ada Lovelace", None),
        ("Grace Hopper", None),
    ]
    assert "7 Cobol Lane" in html
    assert 'href="/reports/register/csv/?on=2025-06-29"' in html
    assert 'href="/reports/register/pdf/?on=2025-06-29"' in html
    assert '<th scope="col">Member number</th>' in html
    entry = AuditEntry.objects.get(action="membership.register.read")
    assert entry.actor == coop_admin
    assert entry.data == {"on": "2025-06-29", "format": "page", "via": "web", "rows": 2}


def test_the_page_after_a_member_ceased_and_after_the_retention(client, coop_admin, world):
    client.force_login(coop_admin)
    rows = client.get(PAGE, {"on": "2026-01-01"}).context["rows"]
    assert [(r.name, r.ceased_on) for r in rows] == [
        ("Ada Lovelace", D(2025, 6, 30)),
        ("Grace Hopper", None),
    ]
    html = client.get(PAGE, {"on": "2027-07-01"}).content.decode()
    assert "Ada Lovelace" not in html and "Grace Hopper" in html
    assert "1 membership on the register." in html


@freeze_time("2026-02-10")
def test_the_page_is_as_at_today_by_default(client, coop_admin, world):
    client.force_login(coop_admin)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["on"] == D(2026, 2, 10)
    assert 'value="2026-02-10"' in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/12/2025", "Enter a valid date."),
        ("2025-02-30", "Enter a valid date."),
        ("", "This field is required."),
        ("10000-01-01", "Enter a valid date."),
        ("2019-12-31", "No policy is in force on Dec 31, 2019."),
    ],
)
@pytest.mark.parametrize("url", [PAGE, CSV, PDF])
def test_a_bad_date_is_a_clear_error_on_the_form(client, coop_admin, world, url, value, message):
    client.force_login(coop_admin)
    response = client.get(url, {"on": value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert message in html
    assert 'id="id_on_error"' in html
    assert "<table" not in html
    assert not AuditEntry.objects.filter(action="membership.register.read").exists()


def test_the_csv(client, coop_admin, world):
    world["active"].member.name = '=HYPERLINK("http://evil.example")'
    world["active"].member.save()
    client.force_login(coop_admin)
    response = client.get(CSV, {"on": "2026-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="register-of-members-2026-01-01.csv"' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("member_number,name,contact_person,address,")
    assert lines[1].startswith(f"{world['ceased'].member_id},Ada Lovelace,")
    assert "2024-01-15,2025-06-30,Maple Rooms,ended" in lines[1]
    assert lines[2].startswith(f"{world['active'].member_id},\"'=HYPERLINK(")
    entry = AuditEntry.objects.get(action="membership.register.read")
    assert entry.data == {"on": "2026-01-01", "format": "csv", "via": "web", "rows": 2}


def test_the_pdf(client, coop_admin, world, monkeypatch):
    monkeypatch.setattr(register_views, "COMPRESS_PDF", False)
    client.force_login(coop_admin)
    response = client.get(PDF, {"on": "2026-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Ada Lovelace" in text and "Grace Hopper" in text
    assert "Jun 30, 2025" in text
    entry = AuditEntry.objects.get(action="membership.register.read")
    assert entry.data == {"on": "2026-01-01", "format": "pdf", "via": "web", "rows": 2}


def test_the_pdf_is_in_the_readers_language(client, coop_admin, world):
    client.force_login(coop_admin)
    response = client.get(PDF, {"on": "2026-01-01"}, HTTP_ACCEPT_LANGUAGE="ca")
    assert "Ada Lovelace" in pdf_text(response.content)
    assert "Registre" in pdf_text(response.content)


def test_the_page_is_linked_from_the_report_and_home(client, coop_admin, world):
    client.force_login(coop_admin)
    for url in ("/reports/status/", "/home/"):
        assert 'href="/reports/register/"' in client.get(url).content.decode()


def test_the_queries_do_not_grow_with_members(
    client, coop_admin, world, django_assert_max_num_queries
):
    client.force_login(coop_admin)
    client.get(PAGE, {"on": "2026-01-01"})
    with django_assert_max_num_queries(8) as few:
        assert client.get(PAGE, {"on": "2026-01-01"}).status_code == 200
    MembershipFactory.create_batch(25, steward=world["steward"])
    with django_assert_max_num_queries(len(few)):
        response = client.get(PAGE, {"on": "2026-01-01"})
    assert len(response.context["rows"]) == 27
    with django_assert_max_num_queries(len(few)):
        assert client.get(PDF, {"on": "2026-01-01"}).status_code == 200
