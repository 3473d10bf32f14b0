"""The treasurer's "Money in" page and its CSV export: per steward, open, due and overdue
invoices, payments this month and revenue reports due; a steward's admin sees only its own
stewards; the export is formula-safe and audited; the queries don't grow with the data."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from contributions.selectors.money_in import money_in_by_steward
from meetcoop.core.models import AuditEntry
from meetcoop.core.money import Money
from meetcoop.core.roles import TREASURERS
from resellers.models import Steward
from tests.factories import (
    DuesInvoiceFactory,
    DuesPaymentFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)
PAGE = reverse("contributions:money_in")
CSV = reverse("contributions:money_in_csv")


@pytest.fixture
def frozen():
    with freeze_time("2026-06-15 10:00:00"):
        yield


def invoice(steward, due_on, amount="10.00", currency="EUR", member=None):
    membership = MembershipFactory(steward=steward, member=member or MemberFactory())
    return DuesInvoiceFactory(
        membership=membership,
        period_start=due_on,
        period_end=due_on + 29 * DAY,
        due_on=due_on,
        amount=Decimal(amount),
        currency=currency,
    )


def pay(inv, amount, paid_on):
    return DuesPaymentFactory(invoice=inv, amount=Decimal(amount), paid_on=paid_on)


@pytest.fixture
def books(db):
    PolicyFactory()  # 30 days of grace
    comuns = StewardFactory(name="Comuns", currencies=["EUR", "CAD"])
    maple = StewardFactory(name="Maple Rooms")
    invoice(comuns, TODAY, "10.00")  # due today: due
    invoice(comuns, TODAY - 30 * DAY, "20.00")  # the last day of grace: still due
    invoice(comuns, TODAY - 31 * DAY, "30.00")  # the day after: overdue
    invoice(comuns, TODAY + DAY, "5.00")  # not due yet: open only
    cad = invoice(comuns, TODAY + DAY, "40.00", "CAD")
    pay(cad, "15.00", TODAY - 5 * DAY)  # this month, 25 CAD left
    paid = invoice(comuns, TODAY - 40 * DAY, "10.00")
    pay(paid, "10.00", TODAY.replace(day=1))  # paid in full on the month's first day
    older = invoice(comuns, TODAY - 60 * DAY, "7.00")
    pay(older, "7.00", TODAY.replace(day=1) - DAY)  # paid last month
    invoice(maple, TODAY - 100 * DAY, "99.00")
    return {"comuns": comuns, "maple": maple}


def row_of(rows, steward):
    return next(r for r in rows if r.steward == steward)


def test_counts_and_sums_per_steward_at_the_boundaries(books):
    rows = money_in_by_steward(Steward.objects.all(), on=TODAY)
    comuns = row_of(rows, books["comuns"])
    assert comuns.open_count == 5
    assert comuns.outstanding == [
        Money(Decimal("25.00"), "CAD"),
        Money(Decimal("65.00"), "EUR"),
    ]
    assert comuns.due_count == 2
    assert comuns.due == [Money(Decimal("30.00"), "EUR")]
    assert comuns.overdue_count == 1
    assert comuns.overdue == [Money(Decimal("30.00"), "EUR")]
    # Payments made this month only (not last month's), per currency.
    assert comuns.payments_count == 2
    assert comuns.payments == [Money(Decimal("15.00"), "CAD"), Money(Decimal("10.00"), "EUR")]
    maple = row_of(rows, books["maple"])
    assert (maple.open_count, maple.overdue_count, maple.payments_count) == (1, 1, 0)


def test_the_next_day_moves_the_last_day_of_grace_to_overdue(books):
    comuns = row_of(money_in_by_steward(Steward.objects.all(), on=TODAY + DAY), books["comuns"])
    # Due: the not-yet-due invoices (5 EUR; 40 CAD less 15) and today's (10 EUR).
    assert comuns.due_count == 3
    assert comuns.due == [Money(Decimal("25.00"), "CAD"), Money(Decimal("15.00"), "EUR")]
    assert comuns.overdue_count == 2
    assert comuns.overdue == [Money(Decimal("50.00"), "EUR")]


def treasurer():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return user


def csv_rows(response):
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_a_treasurer_sees_every_steward(client, books):
    client.force_login(treasurer())
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comuns" in html and "Maple Rooms" in html
    assert html.count("<h1") == 1
    assert "<caption>" in html and 'scope="row"' in html
    assert reverse("contributions:treasury") in html
    assert PAGE in html  # the header's link


def test_a_stewards_admin_sees_only_its_own_stewards(client, books):
    admin = StewardAdminFactory(stewards=[books["comuns"]])
    client.force_login(admin)
    html = client.get(PAGE).content.decode()
    assert "Comuns" in html and "Maple Rooms" not in html
    assert PAGE in html  # the header links it for a steward's admin too
    response = client.get(CSV)
    assert response["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert {r["steward"] for r in rows} == {"Comuns"}
    assert len(rows) == 5
    assert AuditEntry.objects.get(action="contributions.money_in.exported").data["rows"] == 5


def test_others_may_not_see_it(client, books):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(CSV).status_code == 302
    member = MemberContactFactory().user
    client.force_login(member)
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403
    assert PAGE not in client.get(reverse("contributions:my_ledger")).content.decode()
    assert not AuditEntry.objects.filter(action="contributions.money_in.exported").exists()


def test_the_export_is_formula_safe_and_audited(client, books):
    evil = MemberFactory(name='=HYPERLINK("http://evil.example","pay here")')
    inv = invoice(books["maple"], TODAY - DAY, "12.00", member=evil)
    user = treasurer()
    client.force_login(user)
    response = client.get(CSV)
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    evil_row = next(r for r in rows if r["reference"] == inv.reference)
    assert evil_row["member"].startswith("'=HYPERLINK")
    assert evil_row == {
        **evil_row,
        "steward": "Maple Rooms",
        "amount": "12.00",
        "currency": "EUR",
        "paid": "0.00",
        "outstanding": "12.00",
        "due_on": (TODAY - DAY).isoformat(),
        "grace_ends_on": (TODAY + 29 * DAY).isoformat(),
        "state": "due",
    }
    states = {r["due_on"]: r["state"] for r in rows if r["steward"] == "Comuns"}
    assert states[TODAY.isoformat()] == "due"
    assert states[(TODAY - 31 * DAY).isoformat()] == "overdue"
    assert states[(TODAY + DAY).isoformat()] == "not_due"
    entry = AuditEntry.objects.get(action="contributions.money_in.exported")
    assert entry.actor == user
    assert entry.data["rows"] == len(rows) == 7


def test_revenue_reports_due_are_shown_for_resellers(client, books):
    op = OperationalMembershipFactory(admitted_on=datetime.date(2026, 1, 10))
    StewardFactory(name="Late Reseller", member=op.member)
    client.force_login(treasurer())
    html = client.get(PAGE).content.decode()
    assert "The revenue report for 2026-Q1 is overdue since" in html


def stewards_with_invoices(n):
    for _i in range(n):
        steward = StewardFactory()
        StewardAdminFactory(stewards=[steward])
        for k in range(3):
            inv = invoice(steward, TODAY - k * 20 * DAY, currency="CAD" if k == 2 else "EUR")
            pay(inv, "1.00", TODAY - DAY)


def page_queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_2_or_10_stewards(
    client, db, django_assert_max_num_queries
):
    PolicyFactory()
    user = treasurer()
    client.force_login(user)
    stewards_with_invoices(2)
    few = page_queries(client, user)
    stewards_with_invoices(8)
    assert page_queries(client, user) == few
    with django_assert_max_num_queries(15):
        client.get(PAGE)
