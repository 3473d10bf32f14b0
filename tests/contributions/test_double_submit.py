"""A contributions form sent twice (a double click, a page reloaded and sent again) records
once: the second post with the same one-time key records nothing and goes where the first went."""

from decimal import Decimal
from functools import partial

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from contributions.models import LedgerEntry
from meetcoop.core.models import SubmissionKey
from meetcoop.core.submissions import FIELD
from tests.contributions.races import race
from tests.submissions import key_on, keys_on, sent_twice, told_already_sent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def money(coop, **fields):
    return {
        "form": "money",
        "money-member": coop.member.member.pk,
        "money-amount": "500",
        "money-currency": "EUR",
        "money-received_on": "2026-06-05",
        **fields,
    }


def test_the_money_form_sent_twice_records_the_money_once(client, coop):
    client.force_login(coop.treasurer.user)
    first, second = sent_twice(client, reverse("contributions:treasury"), money(coop))
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == reverse("contributions:treasury")
    assert told_already_sent(second)
    assert LedgerEntry.objects.filter(kind="money").count() == 1


def test_the_resource_form_sent_twice_records_the_resource_once(client, coop):
    client.force_login(coop.treasurer.user)
    url = reverse("contributions:treasury")
    data = {
        "form": "resource",
        "resource-member": coop.member.member.pk,
        "resource-description": "A server for a year",
        "resource-eur_value": "300",
        "resource-given_on": "2026-06-05",
        FIELD: key_on(client, url, index=1),  # the page's second form
    }
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302 and told_already_sent(second)
    assert LedgerEntry.objects.filter(kind="resource").count() == 1


def test_the_two_treasury_forms_have_keys_of_their_own(client, coop):
    client.force_login(coop.treasurer.user)
    page = client.get(reverse("contributions:treasury"))
    money_key, resource_key = keys_on(page)
    assert money_key != resource_key


def test_money_refused_then_corrected_is_recorded_once_with_the_same_key(client, coop):
    client.force_login(coop.treasurer.user)
    url = reverse("contributions:treasury")
    key = key_on(client, url)
    refused = client.post(url, money(coop, **{"money-currency": "CAD", FIELD: key}))
    assert refused.status_code == 200  # no rate for CAD: the service refuses
    assert "eur_rate" in refused.context["money_form"].errors
    assert not SubmissionKey.objects.filter(key=key).exists()
    corrected = money(coop, **{"money-currency": "CAD", "money-eur_rate": "0.68", FIELD: key})
    assert client.post(url, corrected).status_code == 302
    again = client.post(url, corrected)
    assert again.status_code == 302 and told_already_sent(again)
    entry = LedgerEntry.objects.get(kind="money")
    assert entry.eur_value == Decimal("340.00")


def test_money_posted_without_a_key_is_recorded_as_before(client, coop):
    client.force_login(coop.treasurer.user)
    url = reverse("contributions:treasury")
    assert client.post(url, money(coop)).status_code == 302
    assert client.post(url, money(coop, **{FIELD: "not a key"})).status_code == 302
    assert LedgerEntry.objects.filter(kind="money").count() == 2
    assert not SubmissionKey.objects.exists()


def test_own_hours_sent_twice_are_recorded_once(client, coop):
    client.force_login(coop.member.user)
    url = reverse("contributions:my_ledger")
    data = {"circle": coop.tech.pk, "worked_on": "2026-06-14", "hours": "3", "description": "Docs"}
    first, second = sent_twice(client, url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == f"{url}?member={coop.member.member.pk}"
    assert told_already_sent(second)
    assert LedgerEntry.objects.filter(kind="labour").count() == 1


def test_a_coordinators_batch_sent_twice_is_logged_once(client, coop):
    client.force_login(coop.coord_a.user)
    data = {
        "circle": coop.tech.pk,
        "worked_on": "2026-06-10",
        "description": "Server migration",
        f"hours_{coop.member.member.pk}": "4",
        f"hours_{coop.coord_b.member.pk}": "2.5",
    }
    first, second = sent_twice(client, reverse("contributions:coordinate"), data)
    assert first.status_code == second.status_code == 302
    assert told_already_sent(second)
    assert LedgerEntry.objects.filter(kind="labour").count() == 2  # one per member, once


@pytest.mark.django_db(transaction=True)
def test_the_money_form_sent_twice_at_the_same_moment_records_once(coop):
    """Two posts with one key at once: the key's unique constraint decides, the loser records
    nothing and answers as the winner did (never an error page)."""
    url = reverse("contributions:treasury")
    tabs = [Client(), Client()]  # the same treasurer's page, sent from two tabs
    for tab in tabs:
        tab.force_login(coop.treasurer.user)
    data = money(coop, **{FIELD: key_on(tabs[0], url)})
    answers = [
        response.status_code for response in race(*(partial(tab.post, url, data) for tab in tabs))
    ]
    assert answers == [302, 302]
    assert LedgerEntry.objects.filter(kind="money").count() == 1
