"""/me/ tells a lapsed member why: each membership's status history with its reasons in
words, the date of the next nightly check, and, when every rule passes but the status is
still lapsed, that it will be active after that check. Admin approvals write their history
like every other change."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from freezegun import freeze_time

from membership.models import Membership, StatusChange
from membership.reasons import status_change_words, system_note
from membership.services import membership_add
from resellers.services import application_approve
from standing.selectors.dashboard import next_nightly_check
from tests.factories import (
    ApplicationFactory,
    CoopStewardFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

NOW = "2026-12-03 10:00:00"


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def nightly():
    """The nightly job in the beat schedule at 02:30 UTC, as the migration puts it (a browser
    test may have flushed what the migrations wrote)."""
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    task, _ = PeriodicTask.objects.update_or_create(
        name="Nightly status recompute",
        defaults={"task": "standing.tasks.recompute_status_nightly", "crontab": crontab},
    )
    return task


def member_with(membership_kwargs=None, email="ada@example.org"):
    contact = MemberContactFactory(member__email=email, user__email=email)
    membership = MembershipFactory(member=contact.member, **(membership_kwargs or {}))
    return membership, contact.user


def change(membership, old, new, day, **kwargs):
    return StatusChange.objects.create(
        membership=membership,
        old_status=old,
        new_status=new,
        effective_on=day,
        changed_at=datetime.datetime.combine(day, datetime.time(2, 30), tzinfo=datetime.UTC),
        source=kwargs.pop("source", "nightly"),
        **kwargs,
    )


# --- the first row of the history ----------------------------------------------------------


def test_an_approval_in_the_admin_writes_the_first_status_change(terms_free_steward):
    steward, admin = terms_free_steward
    application = ApplicationFactory(steward=steward, service_level=steward.level)
    application_approve(application=application, actor=admin, on=datetime.date(2026, 12, 2))
    membership = Membership.objects.get(member__email=application.email)
    first = StatusChange.objects.get(membership=membership)
    assert (first.old_status, first.new_status, first.source, first.actor) == (
        "pending",
        "active",
        "application",
        admin,
    )
    assert first.effective_on == datetime.date(2026, 12, 2)
    assert first.note == ""
    assert status_change_words(first) == [f"Application approved by {steward.name}."]
    with translation.override("fr"):  # stored as a code: read in the reader's language
        assert status_change_words(first) == [
            gettext("Application approved by %(steward)s.") % {"steward": steward.name}
        ]
        assert status_change_words(first) != [f"Application approved by {steward.name}."]


@pytest.fixture
def terms_free_steward():
    level = ServiceLevelFactory(code="small", name="Small")
    steward = StewardFactory(slug="comuns", name="Comuns Reunits")
    StewardOfferFactory(steward=steward, service_level=level, capacity=5)
    steward.level = level
    return steward, StewardAdminFactory(stewards=[steward])


def test_a_membership_added_by_hand_writes_its_first_change_as_a_persons():
    admin = UserFactory(is_staff=True, is_superuser=True)
    membership = membership_add(
        member=MemberFactory(), type="user", steward=StewardFactory(),
        service_level=ServiceLevelFactory(), actor=admin,
    )  # fmt: skip
    first = StatusChange.objects.get(membership=membership)
    assert (first.old_status, first.new_status, first.source, first.actor) == (
        "pending",
        "active",
        "person",
        admin,
    )
    assert first.note == ""
    assert status_change_words(first) == ["Added by hand in the admin."]
    with translation.override("de"):
        assert status_change_words(first) == [gettext("Added by hand in the admin.")]
        assert status_change_words(first) != ["Added by hand in the admin."]


def test_a_pending_membership_has_no_change_until_its_admission():
    membership = membership_add(
        member=MemberFactory(), type="operational", steward=CoopStewardFactory(), actor=None
    )
    assert membership.status == "pending"
    assert not StatusChange.objects.filter(membership=membership).exists()


# --- /me/ --------------------------------------------------------------------------------------


def test_me_shows_the_history_newest_first_with_reasons_in_words(client, nightly):
    membership, user = member_with({"status": "lapsed"})
    change(membership, "pending", "active", datetime.date(2024, 1, 15), source="application",
           reasons=[system_note("application_approved", steward="Comuns Reunits")])  # fmt: skip
    change(
        membership,
        "active",
        "lapsed",
        datetime.date(2026, 10, 12),
        reasons=[
            {"code": "dues_overdue", "ok": False, "params": {
                "amount": "12.00", "currency": "EUR", "due": "2026-09-01", "grace": 30}},
            {"code": "terms_ok", "ok": True, "params": {}},
        ],
    )  # fmt: skip
    client.force_login(user)
    page = client.get("/me/").content.decode()
    history = page.index("Status history")
    lapse = page.index("Oct 12, 2026", history)
    join = page.index("Jan 15, 2024", history)
    assert lapse < join  # newest first
    assert "From active to lapsed" in page
    assert (
        "Dues of €12.00 due on Sep 1, 2026 are still unpaid after the 30-day grace period." in page
    )
    assert "The current terms are accepted." not in page[lapse:join]  # only what failed
    assert "Application approved by Comuns Reunits." in page
    assert "12/10/2026" not in page and "2026-10-12" not in page


def test_me_shows_the_date_of_the_next_nightly_check(client, nightly):
    _membership, user = member_with()
    client.force_login(user)
    page = client.get("/me/").content.decode()
    assert "the next check is on Dec 4, 2026, 2:30\u202fAM (UTC)" in page


def test_the_next_check_follows_the_schedule_in_the_admin(nightly):
    now = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)
    assert next_nightly_check(now=now) == datetime.datetime(2026, 12, 4, 2, 30, tzinfo=datetime.UTC)
    nightly.crontab = CrontabSchedule.objects.create(minute="0", hour="23", timezone="UTC")
    nightly.save()
    assert next_nightly_check(now=now) == datetime.datetime(2026, 12, 3, 23, 0, tzinfo=datetime.UTC)


def test_without_a_schedule_me_says_tonight(client, nightly):
    nightly.enabled = False
    nightly.save()
    _membership, user = member_with()
    client.force_login(user)
    page = client.get("/me/").content.decode()
    assert "the next check is tonight." in page


def test_a_lapsed_member_whose_rules_now_pass_is_told_it_will_be_active(client, nightly):
    membership, user = member_with({"status": "lapsed"})  # no dues owed, no terms to accept
    client.force_login(user)
    response = client.get("/me/")
    assert response.context["cards"][0]["computed"] == "active"
    page = response.content.decode()
    assert "Every rule is met now, but your membership is still lapsed" in page
    assert "It will be active after the next check, on Dec 4, 2026, 2:30\u202fAM (UTC)." in page
    membership.refresh_from_db()
    assert membership.status == "lapsed"  # showing is not changing


def test_an_active_member_is_not_told_it_will_become_active(client, nightly):
    _membership, user = member_with()
    client.force_login(user)
    assert "still lapsed" not in client.get("/me/").content.decode()


def test_me_shows_the_last_five_changes_and_links_to_the_whole_history(client, nightly):
    membership, user = member_with({"status": "lapsed"})
    day = datetime.date(2026, 1, 1)
    statuses = ["active", "lapsed"] * 6
    for i, (old, new) in enumerate(zip(["pending", *statuses], statuses, strict=False)):
        change(membership, old, new, day + datetime.timedelta(days=20 * i), note=f"Change {i}.")
    client.force_login(user)
    response = client.get("/me/")
    card = response.context["cards"][0]
    assert [words for _c, words in card["history"]] == [[f"Change {i}."] for i in (11, 10, 9, 8, 7)]
    assert card["history_total"] == 12
    url = reverse("membership:status_history", args=[membership.pk])
    assert url in response.content.decode()
    assert "See the whole history (12 changes)" in response.content.decode()

    whole = client.get(url)
    assert whole.status_code == 200
    assert [words for _c, words in whole.context["rows"]][0] == ["Change 11."]


def test_the_whole_history_is_paged_and_page_two_exists(client, nightly):
    membership, user = member_with()
    for i in range(25):
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=i)
        change(membership, "active", "active", day, note=f"Change {i}.")
    client.force_login(user)
    url = reverse("membership:status_history", args=[membership.pk])
    first = client.get(url)
    assert len(first.context["rows"]) == 20
    assert 'rel="next"' in first.content.decode()
    second = client.get(url, {"page": 2})
    assert second.status_code == 200
    assert [words for _c, words in second.context["rows"]] == [
        [f"Change {i}."] for i in range(4, -1, -1)
    ]
    assert 'rel="prev"' in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_the_whole_history_is_only_for_the_members_own_memberships(client, nightly):
    other, _other_user = member_with(email="bo@example.org")
    _mine, user = member_with()
    client.force_login(user)
    url = reverse("membership:status_history", args=[other.pk])
    assert client.get(url).status_code == 404


def test_me_reads_the_history_of_all_memberships_in_one_query(django_assert_num_queries):
    from membership.selectors import latest_status_changes

    memberships = [member_with(email=f"m{i}@example.org")[0] for i in range(3)]
    for membership in memberships:
        for i in range(8):
            change(membership, "active", "active", datetime.date(2025, 1, 1 + i))
    with django_assert_num_queries(1):
        history = latest_status_changes(memberships, count=5)
    assert [len(history[m.pk]["changes"]) for m in memberships] == [5, 5, 5]
    assert [history[m.pk]["total"] for m in memberships] == [8, 8, 8]


def test_me_query_count_does_not_grow_with_the_history(client, nightly):
    membership, user = member_with()
    operational = MembershipFactory(member=membership.member, type="operational",
                                    service_level=None, steward=CoopStewardFactory())  # fmt: skip
    client.force_login(user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/me/").status_code == 200
        return len(captured)

    queries()  # the nightly schedule is read once per ten minutes, not per page
    before = queries()
    for m in (membership, operational):
        for i in range(12):
            change(m, "active", "active", datetime.date(2025, 1, 1) + datetime.timedelta(days=i))
    assert queries() == before


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_histories_end_in_each_memberships_status():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for membership in Membership.objects.exclude(status="pending"):
        last = (
            StatusChange.objects.filter(membership=membership)
            .order_by("-effective_on", "-changed_at", "-id")
            .first()
        )
        assert last is not None, membership
        assert last.new_status == membership.status, membership
    approved = Membership.objects.filter(member__email="nuria@example.org").first()
    if approved is not None:  # approved from an application by its steward's admin
        assert approved.status_changes.filter(source="application", old_status="pending").exists()


def test_a_pending_membership_is_not_promised_a_nightly_check(client, nightly):
    _membership, user = member_with(
        {"type": "operational", "status": "pending", "service_level": None, "admitted_on": None}
    )
    client.force_login(user)
    assert "the next check is" not in client.get("/me/").content.decode()
