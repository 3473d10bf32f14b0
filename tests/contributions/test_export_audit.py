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
