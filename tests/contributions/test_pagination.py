"""The ledger, a member's entries and the queues are newest first (the queues oldest first:
what waits longest is decided first) and paged; page 2 exists and keeps the filter, and the
number of queries stays the same whatever the length."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from contributions import services

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


def log(coop, n, *, start=0):
    return [
        services.labour_log(
            member=coop.member.member,
            circle=coop.tech,
            hours="1",
            worked_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            description=f"Work {i}",
            actor=coop.coord_a.user,
            on=TODAY,
        )
        for i in range(start, start + n)
    ]


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


def test_the_ledger_is_newest_first_and_page_two_keeps_the_filter(client, coop):
    log(coop, 55)
    client.force_login(coop.treasurer.user)
    url = reverse("contributions:export_page")
    first = client.get(url, {"kind": "labour"})
    assert [e.description for e in first.context["entries"]][:2] == ["Work 54", "Work 53"]
    assert len(first.context["entries"]) == 50
    html = first.content.decode()
    assert 'href="?kind=labour&amp;page=2" rel="next"' in html
    second = client.get(url, {"kind": "labour", "page": 2})
    assert [e.description for e in second.context["entries"]] == [
        f"Work {i}" for i in range(4, -1, -1)
    ]


def test_the_ledger_page_costs_the_same_queries_for_a_longer_ledger(client, coop):
    log(coop, 3)
    client.force_login(coop.treasurer.user)
    url = reverse("contributions:export_page")
    short, _r = count_queries(client, url)
    log(coop, 80, start=3)
    long, _r = count_queries(client, url)
    assert long == short


def test_my_entries_are_paged(client, coop):
    log(coop, 30)
    client.force_login(coop.member.user)
    url = reverse("contributions:my_ledger")
    first = client.get(url)
    assert len(first.context["entries"]) == 25
    assert len(first.context["pending"]) == 30  # what waits is listed whole, apart
    second = client.get(url, {"page": 2})
    assert [e.description for e in second.context["entries"]][0] == "Work 4"
    short, _r = count_queries(client, url)
    log(coop, 20, start=30)
    long, _r = count_queries(client, url)
    assert long == short


def test_the_coordinators_queue_is_paged_oldest_first(client, coop):
    log(coop, 52)
    client.force_login(coop.coord_b.user)
    url = reverse("contributions:coordinate")
    first = client.get(url)
    assert len(first.context["queue"]) == 50
    assert first.context["queue"][0][0].description == "Work 0"
    second = client.get(url, {"page": 2})
    assert [e.description for e, _own in second.context["queue"]] == ["Work 50", "Work 51"]
