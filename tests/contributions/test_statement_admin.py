"""The admin shows imported bank statements and online payments read-only: a steward's admin
sees only its own steward's statements (another's, or the co-op's own account, is 404), and
online payments are the treasurers'."""

import pytest
from django.urls import reverse

from contributions import services
from meetcoop.core.roles import ensure_role_groups
from tests.contributions.bank_samples import camt, entry
from tests.contributions.test_bank_statements import treasurer_user
from tests.factories import PolicyFactory, StewardAdminFactory, StewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements(db):
    ensure_role_groups()
    PolicyFactory()
    ours, theirs = StewardFactory(name="Ours"), StewardFactory(name="Theirs")
    treasurer = treasurer_user()
    treasurer.is_staff = True
    treasurer.save()
    made = {}
    for key, steward in (("ours", ours), ("theirs", theirs), ("coop", None)):
        data = camt(entry("10.00", name=key, acct_ref=f"E-{key}"), statement_id=f"S-{key}")
        made[key], _new = services.statement_import(
            data=data, file_name=f"{key}.xml", actor=treasurer, steward=steward
        )
    admin = StewardAdminFactory(stewards=[ours])
    return {"made": made, "admin": admin, "treasurer": treasurer}


def change_url(statement):
    return reverse("admin:contributions_bankstatement_change", args=[statement.pk])


def test_a_stewards_admin_sees_only_its_own_statements(client, statements):
    client.force_login(statements["admin"])
    listing = client.get(reverse("admin:contributions_bankstatement_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "ours.xml" in html and "theirs.xml" not in html and "coop.xml" not in html
    assert client.get(change_url(statements["made"]["ours"])).status_code == 200
    for key in ("theirs", "coop"):
        assert client.get(change_url(statements["made"][key])).status_code in (302, 404)
    payments = client.get(reverse("admin:contributions_onlinepayment_changelist"))
    assert payments.status_code == 403


def test_a_treasurer_sees_every_statement_and_the_online_payments(client, statements):
    client.force_login(statements["treasurer"])
    html = client.get(reverse("admin:contributions_bankstatement_changelist")).content.decode()
    assert all(f"{key}.xml" in html for key in ("ours", "theirs", "coop"))
    page = client.get(change_url(statements["made"]["coop"]))
    assert page.status_code == 200 and "Open its preview" in page.content.decode()
    assert client.get(reverse("admin:contributions_onlinepayment_changelist")).status_code == 200
