"""Newest first and a page at a time where lists grow: meetings, decided proposals, a
circle's seats, a document's history. Page 2 exists, and the number of queries stays the same
whatever the length of the list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    MeetingFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


def meetings(n, start=0):
    first = datetime.date(2024, 1, 1)
    return [
        MeetingFactory(title=f"Meeting {i}", held_on=first + datetime.timedelta(days=7 * i))
        for i in range(start, start + n)
    ]


def test_meetings_are_listed_newest_first_a_page_at_a_time(admin_client):
    meetings(30)
    url = reverse("governance:meeting_list")
    first = admin_client.get(url)
    titles = [m.title for m in first.context["meetings"]]
    assert titles[:3] == ["Meeting 29", "Meeting 28", "Meeting 27"]
    assert len(titles) == 25
    assert 'rel="next"' in first.content.decode()
    second = admin_client.get(url, {"page": 2})
    assert [m.title for m in second.context["meetings"]] == [
        f"Meeting {i}" for i in range(4, -1, -1)
    ]
    assert "Page 2 of 2" in second.content.decode()


def test_the_meetings_page_costs_the_same_queries_for_a_longer_list(admin_client):
    meetings(5)
    url = reverse("governance:meeting_list")
    short, _r = queries(admin_client, url)
    meetings(60, start=5)
    long, _r = queries(admin_client, url)
    assert long == short


def decided(n, start=0):
    base = timezone.now() - datetime.timedelta(days=400)
    return [
        ProposalFactory(
            title=f"Decided {i}",
            status="closed",
            outcome="adopted",
            opens_at=base + datetime.timedelta(days=i),
            closes_at=base + datetime.timedelta(days=i, hours=1),
        )
        for i in range(start, start + n)
    ]


def test_decided_proposals_newest_first_a_page_at_a_time(admin_client):
    decided(27)
    url = reverse("governance:proposal_list")
    first = admin_client.get(url)
    assert [p.title for p in first.context["past"]][:2] == ["Decided 26", "Decided 25"]
    second = admin_client.get(url, {"page": 2})
    assert [p.title for p in second.context["past"]] == ["Decided 1", "Decided 0"]
    assert 'rel="prev"' in second.content.decode()


def test_the_proposal_list_costs_the_same_queries_for_a_longer_list(admin_client):
    decided(3)
    url = reverse("governance:proposal_list")
    short, _r = queries(admin_client, url)
    decided(40, start=3)
    long, _r = queries(admin_client, url)
    assert long == short


def test_a_long_circle_is_paged_and_keeps_the_other_lists_page(admin_client):
    circle = CircleFactory(slug="tech")
    for _ in range(55):
        CircleRoleFactory(circle=circle)
    for _ in range(3):
        CircleRoleFactory(circle=circle, ended_on=datetime.date(2025, 1, 1))
    url = reverse("governance:circle_detail", args=["tech"])
    first = admin_client.get(url)
    assert len(first.context["seats"]) == 50
    second = admin_client.get(url, {"page": 2})
    assert len(second.context["seats"]) == 5
    assert len(second.context["past_seats"]) == 3
    short, _r = queries(admin_client, url)
    for _ in range(30):
        CircleRoleFactory(circle=circle)
    long, _r = queries(admin_client, url)
    assert long == short


def test_a_page_past_the_end_shows_the_last_page(admin_client):
    meetings(3)
    response = admin_client.get(reverse("governance:meeting_list"), {"page": 99})
    assert response.status_code == 200
    assert len(response.context["meetings"]) == 3
