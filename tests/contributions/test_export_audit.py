"""The ledger's CSV export is audited: who took which rows (the filter and the count)."""

import pytest
from django.urls import reverse

from meetcoop.core.models import AuditEntry
from tests.contributions.test_views import client_for, csv_rows, ledger  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_ledger_export_is_audited_with_who_the_filter_and_the_rows(client, coop, ledger):  # noqa: F811
    c = client_for(client, coop.treasurer)
    rows = csv_rows(c.get(reverse("contributions:export_csv"), {"kind": "money"}))
    entry = AuditEntry.objects.get(action="contributions.ledger.exported")
    assert entry.actor == coop.treasurer.user
    assert entry.data == {"filter": {"kind": ["money"]}, "rows": len(rows)} and len(rows) == 1


def test_an_export_refused_for_its_filter_is_not_audited(client, coop, ledger):  # noqa: F811
    c = client_for(client, coop.member)
    response = c.get(reverse("contributions:export_csv"), {"member": coop.coord_out.member.pk})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="contributions.ledger.exported").exists()


def test_a_member_sees_who_logged_their_hours_by_name_not_address(client, coop, ledger):  # noqa: F811
    coop.coord_a.user.name = "Ada Coordinator"
    coop.coord_a.user.save(update_fields=["name"])
    c = client_for(client, coop.member)
    response = c.get(reverse("contributions:export_csv"))
    assert response["Cache-Control"] == "no-store"
    (row,) = csv_rows(response)
    assert row["logged_by"] == "Ada Coordinator"
    assert coop.coord_a.user.email not in str(row)


def test_a_treasurer_sees_the_addresses_of_who_logged_and_decided(client, coop, ledger):  # noqa: F811
    c = client_for(client, coop.treasurer)
    rows = {row["kind"]: row for row in csv_rows(c.get(reverse("contributions:export_csv")))}
    assert rows["labour"]["logged_by"] in {coop.coord_a.user.email, coop.coord_out.user.email}
    assert rows["money"]["logged_by"] == coop.treasurer.user.email


def test_a_coordinator_sees_its_own_address_where_it_logged(client, coop, ledger):  # noqa: F811
    c = client_for(client, coop.coord_out)
    (row,) = csv_rows(c.get(reverse("contributions:export_csv")))
    assert row["logged_by"] == coop.coord_out.user.email
