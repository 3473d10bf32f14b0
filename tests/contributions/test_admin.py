"""The contributions admin: ledger read-only, dues and reports scoped to the own steward."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from freezegun import freeze_time

from contributions.models import DuesPayment, LedgerEntry, RevenueReport, RevenueSharePayment
from meetcoop.core.roles import STEWARD_ADMINS, TREASURERS, ensure_role_groups
from resellers.models import Steward
from tests.factories import (
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    RevenueReportFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ensure_role_groups()
    PolicyFactory()
    mine = StewardFactory(name="Mine", member=OperationalMembershipFactory().member)
    theirs = StewardFactory(name="Theirs")
    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=STEWARD_ADMINS))
    mine.admins.add(admin)
    treasurer = UserFactory(is_staff=True)
    treasurer.groups.add(Group.objects.get(name=TREASURERS))
    return {
        "admin": admin,
        "treasurer": treasurer,
        "mine": mine,
        "theirs": theirs,
        "my_invoice": DuesInvoiceFactory(membership__steward=mine),
        "their_invoice": DuesInvoiceFactory(membership__steward=theirs),
        "my_report": RevenueReportFactory(steward=mine),
        "their_report": RevenueReportFactory(steward=theirs),
    }


def test_steward_admin_lists_only_its_own_dues_and_reports(client, world):
    client.force_login(world["admin"])
    invoices = client.get("/admin/contributions/duesinvoice/")
    assert list(invoices.context["cl"].result_list) == [world["my_invoice"]]
    reports = client.get("/admin/contributions/revenuereport/")
    assert list(reports.context["cl"].result_list) == [world["my_report"]]


@pytest.mark.parametrize("model", ["duesinvoice", "revenuereport"])
def test_another_stewards_rows_are_not_found_by_id(client, world, model):
    client.force_login(world["admin"])
    theirs = world["their_invoice"] if model == "duesinvoice" else world["their_report"]
    mine = world["my_invoice"] if model == "duesinvoice" else world["my_report"]
    # 404, like an id that does not exist: nothing tells that the row is there.
    assert client.get(f"/admin/contributions/{model}/{theirs.pk}/change/").status_code == 404
    assert client.get(f"/admin/contributions/{model}/{mine.pk}/change/").status_code == 200


@pytest.mark.parametrize(
    ("model", "key"),
    [("duespayment", "their_payment"), ("revenuesharepayment", "their_share_payment")],
)
def test_another_stewards_payments_are_hidden_and_not_found(client, world, model, key):
    theirs = world["theirs"]
    world["their_payment"] = DuesPaymentFactory(invoice__membership__steward=theirs)
    world["their_share_payment"] = RevenueSharePayment.objects.create(
        report=world["their_report"],
        amount_eur=Decimal("10.00"),
        paid_on=datetime.date(2026, 5, 1),
        recorded_by=world["treasurer"],
    )
    client.force_login(world["admin"])
    listing = client.get(f"/admin/contributions/{model}/")
    if listing.status_code == 200:
        assert world[key] not in list(listing.context["cl"].result_list)
    else:
        assert listing.status_code == 403
    assert client.get(f"/admin/contributions/{model}/{world[key].pk}/change/").status_code in (
        403,
        404,
    )


def test_payment_form_offers_only_the_own_stewards_invoices(client, world):
    client.force_login(world["admin"])
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "contributions",
            "model_name": "duespayment",
            "field_name": "invoice",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {world["my_invoice"].pk}


def test_steward_admin_does_not_see_the_ledger(client, world):
    client.force_login(world["admin"])
    assert client.get("/admin/contributions/ledgerentry/").status_code == 403


def test_treasurer_sees_every_stewards_dues(client, world):
    client.force_login(world["treasurer"])
    invoices = client.get("/admin/contributions/duesinvoice/")
    assert set(invoices.context["cl"].result_list) == {
        world["my_invoice"],
        world["their_invoice"],
    }


def test_steward_admin_records_a_dues_payment_through_the_admin(client, world):
    client.force_login(world["admin"])
    invoice = world["my_invoice"]
    response = client.post(
        "/admin/contributions/duespayment/add/",
        {"invoice": invoice.pk, "amount": "10.00", "currency": "EUR", "paid_on": "2026-01-05"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    payment = DuesPayment.objects.get()
    assert (payment.invoice, payment.recorded_by) == (invoice, world["admin"])


def test_payment_for_another_stewards_invoice_is_a_form_error(client, world):
    client.force_login(world["admin"])
    response = client.post(
        "/admin/contributions/duespayment/add/",
        {
            "invoice": world["their_invoice"].pk,
            "amount": "10.00",
            "currency": "EUR",
            "paid_on": "2026-01-05",
        },
    )
    assert response.status_code == 200
    assert not DuesPayment.objects.exists()


def test_overpayment_through_the_admin_is_a_form_error(client, world):
    client.force_login(world["treasurer"])
    response = client.post(
        "/admin/contributions/duespayment/add/",
        {
            "invoice": world["my_invoice"].pk,
            "amount": "99.00",
            "currency": "EUR",
            "paid_on": "2026-01-05",
        },
    )
    assert response.status_code == 200
    assert "outstanding" in str(response.context["adminform"].form.non_field_errors())


@freeze_time("2026-07-10 10:00:00")
def test_steward_admin_reports_revenue_through_the_admin(client, world):
    client.force_login(world["admin"])
    response = client.post(
        "/admin/contributions/revenuereport/add/",
        {
            "steward": world["mine"].pk,
            "quarter_start": "2026-04-01",
            "revenue": "3000",
            "currency": "CAD",
            "eur_rate": "0.5",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    report = RevenueReport.objects.get(quarter_start=datetime.date(2026, 4, 1))
    assert report.share_eur == Decimal("150.00") and report.reported_by == world["admin"]
    refused = client.post(
        "/admin/contributions/revenuereport/add/",
        {
            "steward": world["theirs"].pk,
            "quarter_start": "2026-04-01",
            "revenue": "3000",
            "currency": "EUR",
        },
    )
    assert refused.status_code == 200  # not a choice for this admin
    assert not RevenueReport.objects.filter(steward=world["theirs"], quarter_start="2026-04-01")


def test_ledger_admin_is_read_only_even_for_a_coop_admin(client, coop_admin):
    entry = LabourEntryFactory(status="approved")
    client.force_login(coop_admin)
    change = client.get(f"/admin/contributions/ledgerentry/{entry.pk}/change/")
    assert change.status_code == 200
    assert b'type="submit" value="Save"' not in change.content
    post = client.post(f"/admin/contributions/ledgerentry/{entry.pk}/change/", {"hours": "20"})
    assert post.status_code == 403
    delete = client.post(f"/admin/contributions/ledgerentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert LedgerEntry.objects.get(pk=entry.pk).hours == Decimal("2.00")


@pytest.mark.parametrize("model", ["duespayment", "revenuesharepayment", "revenuereport"])
def test_saved_payments_and_reports_open_read_only(client, world, model, coop_admin):
    from tests.factories import DuesPaymentFactory

    obj = {
        "duespayment": lambda: DuesPaymentFactory(invoice=world["my_invoice"]),
        "revenuereport": lambda: world["my_report"],
        "revenuesharepayment": lambda: world["my_report"].payments.create(
            amount_eur=Decimal("10"), paid_on=datetime.date(2026, 5, 1), recorded_by=coop_admin
        ),
    }[model]()
    client.force_login(coop_admin)
    page = client.get(f"/admin/contributions/{model}/{obj.pk}/change/")
    assert page.status_code == 200
    assert b'value="Save"' not in page.content
    assert client.get(f"/admin/contributions/{model}/").status_code == 200
    assert client.get(f"/admin/contributions/{model}/add/").status_code == 200


def test_another_stewards_invoice_is_not_a_choice_of_the_payment_form(client, world):
    """Another steward's invoice is refused exactly as an invoice that does not exist: the
    form tells nothing about which ids are taken."""
    client.force_login(world["admin"])
    data = {"amount": "1.00", "currency": "EUR", "paid_on": "2026-01-10", "note": ""}
    theirs = client.post(
        "/admin/contributions/duespayment/add/", {**data, "invoice": world["their_invoice"].pk}
    )
    missing = client.post("/admin/contributions/duespayment/add/", {**data, "invoice": 999999})
    not_a_choice = ["Select a valid choice. That choice is not one of the available choices."]
    assert theirs.context["adminform"].form.errors == {"invoice": not_a_choice}
    assert missing.context["adminform"].form.errors == {"invoice": not_a_choice}
    assert not DuesPayment.objects.exists()


def test_a_treasurer_records_a_payment_of_any_stewards_invoice(client, world):
    client.force_login(world["treasurer"])
    response = client.post(
        "/admin/contributions/duespayment/add/",
        {
            "invoice": world["their_invoice"].pk,
            "amount": "1.00",
            "currency": "EUR",
            "paid_on": "2026-01-10",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert DuesPayment.objects.get().invoice == world["their_invoice"]


def test_no_form_a_steward_admin_opens_offers_another_stewards_rows(world):
    """Every admin form a steward's admin may fill, whatever admin is added later: a foreign
    key into steward-scoped rows offers only the rows of the admin's own stewards."""
    from django.contrib import admin
    from django.test import RequestFactory

    from meetcoop.core.admin import StewardScopedAdminMixin

    request = RequestFactory().get("/admin/")
    request.user = world["admin"]
    registry = admin.site._registry
    checked = []
    for model, model_admin in registry.items():
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue
        for db_field in model._meta.get_fields():
            related = registry.get(db_field.related_model)
            if not (db_field.concrete and isinstance(related, StewardScopedAdminMixin)):
                continue
            formfield = model_admin.formfield_for_dbfield(db_field, request)
            if formfield is None or not hasattr(formfield, "queryset"):
                continue
            visible = set(related.get_queryset(request).values_list("pk", flat=True))
            offered = set(formfield.queryset.values_list("pk", flat=True))
            assert offered <= visible, f"{model._meta.label}.{db_field.name}"
            checked.append(f"{model._meta.label}.{db_field.name}")
    assert "contributions.DuesPayment.invoice" in checked


@pytest.mark.parametrize(
    ("model", "path", "mine", "theirs"),
    [
        ("duesinvoice", "membership__steward", "my_invoice", "their_invoice"),
        ("revenuereport", "steward", "my_report", "their_report"),
    ],
)
def test_a_treasurer_filters_by_any_steward(client, world, model, path, mine, theirs):
    """A treasurer sees every steward's rows here: the filter offers every steward, and the
    steward chosen applies."""
    client.force_login(world["treasurer"])
    url = f"/admin/contributions/{model}/"
    cl = client.get(url).context["cl"]
    spec = next(s for s in cl.filter_specs if getattr(s, "field_path", "") == path)
    every = set(Steward.objects.values_list("pk", flat=True))
    assert {world["mine"].pk, world["theirs"].pk} < every  # the co-op's own steward too
    assert {pk for pk, _name in spec.lookup_choices} == every
    filtered = client.get(url, {f"{path}__id__exact": world["theirs"].pk}).context["cl"]
    assert list(filtered.result_list) == [world[theirs]]
    filtered = client.get(url, {f"{path}__id__exact": world["mine"].pk}).context["cl"]
    assert list(filtered.result_list) == [world[mine]]


def test_a_steward_filter_in_the_url_applies_even_with_a_single_steward(client, world):
    """A steward's admin of one steward is offered no filter; another steward chosen in the
    URL still applies (nothing is listed), never leaving the list silently unfiltered."""
    client.force_login(world["admin"])
    url = "/admin/contributions/duesinvoice/"
    cl = client.get(url).context["cl"]
    assert not any(getattr(s, "field_path", "") == "membership__steward" for s in cl.filter_specs)
    theirs = client.get(url, {"membership__steward__id__exact": world["theirs"].pk})
    assert list(theirs.context["cl"].result_list) == []
    mine = client.get(url, {"membership__steward__id__exact": world["mine"].pk})
    assert list(mine.context["cl"].result_list) == [world["my_invoice"]]
