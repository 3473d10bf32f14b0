import datetime

import pytest
from freezegun import freeze_time

from membership.models import StatusChange
from standing.selectors import active_over_time
from tests.factories import MembershipFactory, StewardFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("member", 403), ("coop_admin", 200)]
)
def test_report_is_for_co_op_admins(client, who, expected):
    if who == "member":
        client.force_login(UserFactory())
    elif who == "coop_admin":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/reports/status/")
    assert response.status_code == expected
    if who == "anonymous":
        assert response.url.startswith("/accounts/login/")


@freeze_time("2026-11-24")
def test_report_counts_by_type_and_steward_and_draws_the_history(client, coop_admin):
    steward = StewardFactory(name="Maple Rooms")
    MembershipFactory.create_batch(3, steward=steward, status="active")
    lapsed = MembershipFactory(steward=steward, status="lapsed")
    StatusChange.objects.create(
        membership=lapsed,
        old_status="active",
        new_status="lapsed",
        effective_on=datetime.date(2026, 10, 1),
        source="nightly",
    )
    client.force_login(coop_admin)
    response = client.get("/reports/status/")
    assert response.context["by_type"]["user"] == {"active": 3, "lapsed": 1}
    row = next(r for r in response.context["by_steward"] if r["steward"] == steward)
    assert row["counts"] == {"active": 3, "lapsed": 1}
    points = dict(active_over_time(until=datetime.date(2026, 11, 24)))
    # Before the lapse on 1 October, four were active; after it, three.
    assert points[datetime.date(2025, 11, 24)] == 4
    assert points[datetime.date(2026, 11, 24)] == 3
    assert b"<svg" in response.content and b'<path d="M ' in response.content


def test_report_query_count_does_not_grow(client, coop_admin, django_assert_max_num_queries):
    for _ in range(2):
        StewardFactory()
    MembershipFactory.create_batch(30)
    client.force_login(coop_admin)
    with django_assert_max_num_queries(12):
        assert client.get("/reports/status/").status_code == 200


@freeze_time("2026-11-24 12:00")
def test_report_warns_when_the_nightly_job_stopped(client, coop_admin):
    from membership.models import StatusRun

    client.force_login(coop_admin)
    assert "has never finished a run" in client.get("/reports/status/").content.decode()
    StatusRun.objects.create(
        on=datetime.date(2026, 11, 21),
        source="nightly",
        state="finished",
        started_at=datetime.datetime(2026, 11, 21, 2, 30, tzinfo=datetime.UTC),
    )
    page = client.get("/reports/status/").content.decode()
    assert "may have stopped" in page
    StatusRun.objects.create(
        on=datetime.date(2026, 11, 24),
        source="nightly",
        state="finished",
        evaluated=45,
        started_at=datetime.datetime(2026, 11, 24, 2, 30, tzinfo=datetime.UTC),
    )
    page = client.get("/reports/status/").content.decode()
    assert "may have stopped" not in page and "45 evaluated" in page
