import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from contributions import services
from contributions.models import LedgerEntry

from .conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

WORKED = datetime.date(2026, 6, 1)
MAX_QUERIES = 15  # constant: no query per row (the tests below render several rows); 15 with
# the count that pages the list, the pending entries read apart from the page, the sums of
# what the co-op owes for hours, and the waged roles the member holds


@pytest.fixture
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def log(coop, who, hours="2", actor=None, circle=None):
    return services.labour_log(
        member=who.member,
        circle=circle or coop.tech,
        hours=hours,
        worked_on=WORKED,
        description="Work",
        actor=(actor or coop.coord_a).user,
        on=TODAY,
    )


def client_for(client, who):
    client.force_login(who.user)
    return client


URLS = [
    "contributions:my_ledger",
    "contributions:coordinate",
    "contributions:treasury",
    "contributions:export_page",
    "contributions:export_csv",
]


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_sign_in(client, coop, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        ("member", "contributions:my_ledger", 200),
        ("member", "contributions:coordinate", 403),
        ("member", "contributions:treasury", 403),
        ("member", "contributions:export_page", 200),
        ("member", "contributions:export_csv", 200),
        ("coord_a", "contributions:coordinate", 200),
        ("coord_a", "contributions:treasury", 403),
        ("treasurer", "contributions:treasury", 200),
        ("treasurer", "contributions:coordinate", 403),
        ("stranger", "contributions:my_ledger", 200),
    ],
)
def test_permission_table(client, coop, role, name, status):
    response = client_for(client, getattr(coop, role)).get(reverse(name))
    assert response.status_code == status


def test_my_ledger_shows_progress_and_pending(client, coop, django_assert_max_num_queries):
    entry = log(coop, coop.member, hours="10")
    services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY)
    log(coop, coop.member, hours="3")
    c = client_for(client, coop.member)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = c.get(reverse("contributions:my_ledger"))
    body = response.content.decode()
    assert 'aria-valuenow="25.00"' in body
    assert "25.00 %" in body
    assert response.context["pending"][0].hours == Decimal("3.00")


def test_self_report_in_the_future_is_a_form_error(client, coop):
    c = client_for(client, coop.member)
    response = c.post(
        reverse("contributions:my_ledger"),
        {"circle": coop.tech.pk, "worked_on": "2026-06-16", "hours": "3", "description": "Docs"},
    )
    assert response.status_code == 200
    assert "future" in str(response.context["form"].non_field_errors())
    assert not LedgerEntry.objects.exists()


def test_member_self_reports_hours_from_its_page(client, coop):
    c = client_for(client, coop.member)
    response = c.post(
        reverse("contributions:my_ledger"),
        {"circle": coop.tech.pk, "worked_on": "2026-06-14", "hours": "1.5", "description": "Docs"},
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.member, entry.status, entry.hours) == (
        coop.member.member,
        "pending",
        Decimal("1.50"),
    )


def test_bad_self_report_keeps_what_was_typed(client, coop):
    c = client_for(client, coop.member)
    response = c.post(
        reverse("contributions:my_ledger"),
        {"circle": coop.tech.pk, "worked_on": "2026-06-16", "hours": "30", "description": "Docs"},
    )
    assert response.status_code == 200
    assert "hours" in response.context["form"].errors
    assert response.context["form"]["description"].value() == "Docs"
    assert not LedgerEntry.objects.exists()


def test_coordinator_logs_hours_for_several_members_at_once(client, coop):
    c = client_for(client, coop.coord_a)
    response = c.post(
        reverse("contributions:coordinate"),
        {
            "circle": coop.tech.pk,
            "worked_on": "2026-06-10",
            "description": "Server migration",
            f"hours_{coop.member.member.pk}": "4",
            f"hours_{coop.coord_b.member.pk}": "2.5",
            f"hours_{coop.coord_a.member.pk}": "",
        },
    )
    assert response.status_code == 302
    logged = {e.member_id: e.hours for e in LedgerEntry.objects.all()}
    assert logged == {
        coop.member.member.pk: Decimal("4.00"),
        coop.coord_b.member.pk: Decimal("2.50"),
    }


def test_coordinator_batch_with_a_bad_value_logs_nothing(client, coop):
    c = client_for(client, coop.coord_a)
    response = c.post(
        reverse("contributions:coordinate"),
        {
            "circle": coop.tech.pk,
            "worked_on": "2026-06-10",
            "description": "x",
            f"hours_{coop.member.member.pk}": "4",
            f"hours_{coop.coord_b.member.pk}": "25",
        },
    )
    assert response.status_code == 200 and not LedgerEntry.objects.exists()


def test_coordinator_page_queue_hides_buttons_on_own_entries(
    client, coop, django_assert_max_num_queries
):
    own = log(coop, coop.coord_a)
    other = log(coop, coop.member)
    for _ in range(5):
        log(coop, coop.member)
    c = client_for(client, coop.coord_a)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = c.get(reverse("contributions:coordinate"))
    body = response.content.decode()
    assert reverse("contributions:decide", args=[other.pk]) in body
    assert reverse("contributions:decide", args=[own.pk]) not in body


def test_decide_approves_and_refuses_own(client, coop):
    entry = log(coop, coop.member)
    own = log(coop, coop.coord_a)
    c = client_for(client, coop.coord_a)
    response = c.post(reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.decided_by == coop.coord_a.user
    assert (
        c.post(reverse("contributions:decide", args=[own.pk]), {"decision": "approve"}).status_code
        == 403
    )


def test_decide_on_another_circles_entry_is_404(client, coop):
    entry = log(coop, coop.member)
    c = client_for(client, coop.coord_out)
    response = c.post(reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"})
    assert response.status_code == 404


def test_decide_twice_shows_a_message_not_an_error(client, coop):
    entry = log(coop, coop.member)
    c = client_for(client, coop.coord_a)
    c.post(reverse("contributions:decide", args=[entry.pk]), {"decision": "approve"})
    response = c.post(
        reverse("contributions:decide", args=[entry.pk]), {"decision": "reject"}, follow=True
    )
    assert response.status_code == 200
    assert "already" in response.content.decode()


def test_treasurer_records_money_in_cad(client, coop, django_assert_max_num_queries):
    c = client_for(client, coop.treasurer)
    response = c.post(
        reverse("contributions:treasury"),
        {
            "form": "money",
            "money-member": coop.member.member.pk,
            "money-amount": "200",
            "money-currency": "CAD",
            "money-eur_rate": "0.68",
            "money-received_on": "2026-06-10",
            "money-description": "",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.eur_value == Decimal("136.00") and entry.status == "pending"
    with django_assert_max_num_queries(MAX_QUERIES):
        page = c.get(reverse("contributions:treasury"))
    assert reverse("contributions:decide", args=[entry.pk]) in page.content.decode()


def test_money_is_offered_in_the_currency_of_the_policy_in_force(client, coop):
    from tests.factories import PolicyFactory

    c = client_for(client, coop.treasurer)
    page = c.get(reverse("contributions:treasury"))
    assert page.context["money_form"]["currency"].initial == "EUR"
    PolicyFactory(effective_from=TODAY, currency="CHF")
    page = c.get(reverse("contributions:treasury"))
    assert page.context["money_form"]["currency"].initial == "CHF"


def test_treasurer_money_without_a_rate_typed_or_recorded_is_a_form_error(client, coop):
    c = client_for(client, coop.treasurer)
    response = c.post(
        reverse("contributions:treasury"),
        {
            "form": "money",
            "money-member": coop.member.member.pk,
            "money-amount": "200",
            "money-currency": "CAD",
            "money-received_on": "2026-06-10",
        },
    )
    assert response.status_code == 200
    # No rate was typed and the co-op recorded none for CAD that day: said on the rate field.
    errors = response.context["money_form"].errors["eur_rate"]
    assert "No exchange rate from CAD to EUR" in errors[0]
    assert not LedgerEntry.objects.exists()


def test_reverse_page(client, coop):
    entry = services.entry_approve(entry=log(coop, coop.member), actor=coop.coord_b.user, on=TODAY)
    assert (
        client_for(client, coop.member)
        .get(reverse("contributions:reverse", args=[entry.pk]))
        .status_code
        == 403
    )
    c = client_for(client, coop.coord_a)
    response = c.post(reverse("contributions:reverse", args=[entry.pk]), {"reason": "Twice"})
    assert response.status_code == 302
    assert LedgerEntry.objects.get(reverses=entry).hours == Decimal("-2.00")


# --- CSV export scoping ---------------------------------------------------------------------


def csv_rows(response):
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


@pytest.fixture
def ledger(coop):
    tech = log(coop, coop.member)
    mine = log(coop, coop.coord_out, circle=coop.outreach, actor=coop.coord_out)
    money = services.money_record(
        member=coop.coord_a.member,
        amount="50",
        currency="EUR",
        received_on=WORKED,
        description="=cmd|calc",
        actor=coop.treasurer.user,
        on=TODAY,
    )
    return {"tech": tech, "outreach": mine, "money": money}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("treasurer", {"tech", "outreach", "money"}),
        ("coord_a", {"tech", "money"}),  # its circle's labour and its own money
        ("coord_out", {"outreach"}),
        ("member", {"tech"}),
        ("stranger", set()),
    ],
)
def test_csv_export_is_scoped_to_what_the_user_may_see(client, coop, ledger, role, expected):
    response = client_for(client, getattr(coop, role)).get(reverse("contributions:export_csv"))
    ids = {int(r["id"]) for r in csv_rows(response)}
    assert ids == {ledger[k].pk for k in expected}


def test_csv_export_filters_by_member_circle_kind_and_dates(client, coop, ledger):
    c = client_for(client, coop.treasurer)
    url = reverse("contributions:export_csv")
    by_kind = csv_rows(c.get(url, {"kind": "money"}))
    assert [int(r["id"]) for r in by_kind] == [ledger["money"].pk]
    by_circle = csv_rows(c.get(url, {"circle": coop.outreach.pk}))
    assert [int(r["id"]) for r in by_circle] == [ledger["outreach"].pk]
    by_member = csv_rows(c.get(url, {"member": coop.member.member.pk}))
    assert [int(r["id"]) for r in by_member] == [ledger["tech"].pk]
    assert csv_rows(c.get(url, {"date_from": "2026-06-02"})) == []
    assert len(csv_rows(c.get(url, {"date_to": "2026-06-01"}))) == 3


def test_csv_filter_for_a_member_outside_the_scope_is_refused(client, coop, ledger):
    c = client_for(client, coop.member)
    response = c.get(reverse("contributions:export_csv"), {"member": coop.coord_out.member.pk})
    assert response.status_code == 400


def test_csv_neutralises_formulas(client, coop, ledger):
    rows = csv_rows(client_for(client, coop.treasurer).get(reverse("contributions:export_csv")))
    money = next(r for r in rows if r["kind"] == "money")
    assert money["description"] == "'=cmd|calc"


@pytest.mark.parametrize("role", ["treasurer", "coord_a", "member"])
def test_export_page_query_count(client, coop, ledger, role, django_assert_max_num_queries):
    for _ in range(8):
        services.entry_approve(entry=log(coop, coop.member), actor=coop.coord_b.user, on=TODAY)
    c = client_for(client, getattr(coop, role))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = c.get(reverse("contributions:export_page"))
    assert response.status_code == 200
    reversible = response.context["may_reverse"]
    assert bool(reversible) == (role == "coord_a")


def test_money_received_before_the_first_policy_is_a_form_error(client, coop):
    c = client_for(client, coop.treasurer)
    response = c.post(
        reverse("contributions:treasury"),
        {
            "form": "money",
            "money-member": coop.member.member.pk,
            "money-amount": "200",
            "money-currency": "EUR",
            "money-eur_rate": "",
            "money-received_on": "2019-06-01",
            "money-description": "Founding gift",
        },
    )
    assert response.status_code in (200, 400)  # the form again, not a 500
    assert "No policy is in force on Jun 1, 2019" in response.content.decode()
    assert "Founding gift" in response.content.decode()  # nothing typed is lost
    assert not LedgerEntry.objects.exists()


def test_a_circle_the_coordinator_does_not_coordinate_is_404(client, coop):
    from tests.factories import CircleFactory

    other = CircleFactory()
    c = client_for(client, coop.coord_a)
    assert c.get(reverse("contributions:coordinate"), {"circle": other.pk}).status_code == 404
    assert c.get(reverse("contributions:coordinate")).status_code == 200
