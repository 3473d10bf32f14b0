"""The "Money in" page and its CSV never answer 500 because no policy is in force (a co-op
that has not set its policy yet, or whose only policy starts later): the grace period comes
from the policy, and its absence is said on the page, as the treasury's forms do."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from membership.models import Policy
from tests.factories import (
    DuesInvoiceFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of_a_steward():
    steward = StewardFactory()
    DuesInvoiceFactory(membership__steward=steward)
    client = Client(raise_request_exception=False)
    client.force_login(StewardAdminFactory(stewards=[steward]))
    return client


def test_money_in_says_no_policy_is_in_force(client_of_a_steward):
    assert not Policy.objects.exists()
    response = client_of_a_steward.get("/contributions/money-in/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No policy is in force" in page
    # No figures to show, and no file to offer: not "no steward yet".
    assert 'id="money-in"' not in page and "money-in.csv" not in page


def test_money_in_says_so_when_the_only_policy_starts_later(client_of_a_steward):
    Policy.objects.all().delete()
    PolicyFactory(effective_from=timezone.localdate() + datetime.timedelta(days=3))
    response = client_of_a_steward.get("/contributions/money-in/")
    assert response.status_code == 200
    assert "No policy is in force" in response.content.decode()


def test_the_csv_is_refused_with_the_reason_instead_of_a_broken_file(client_of_a_steward):
    response = client_of_a_steward.get("/contributions/money-in.csv")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "No policy is in force" in response.content.decode()
