"""The command, the Celery task, the dashboard and the terms page that use the status rules."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from membership.models import StatusChange, StatusRun, TermsAcceptance
from standing.tasks import recompute_status_nightly
from tests.factories import (
    AttendanceFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    MeetingFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    TermsVersionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-11-24 03:00:00"):
        yield


def lapsing_operational(email="ada@example.org"):
    """Admitted 500 days ago with nothing contributed and no circle: it lapses."""
    contact = MemberContactFactory(member__email=email, user__email=email)
    return OperationalMembershipFactory(
        member=contact.member, admitted_on=datetime.date(2025, 7, 12)
    ), contact.user


def test_dry_run_prints_who_would_change_and_why_and_writes_nothing():
    membership, _user = lapsing_operational()
    out = StringIO()
    call_command("recompute_status", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "ada@example.org (operational): active -> lapsed." in text
    assert "Not a member of any circle" in text
    assert "would change: 0 to active, 1 to lapsed" in text
    membership.refresh_from_db()
    assert membership.status == "active"
    assert not StatusChange.objects.exists()
    assert StatusRun.objects.get().dry_run is True


def test_the_command_takes_a_date_and_a_member():
    lapsing_operational("ada@example.org")
    other, _ = lapsing_operational("bo@example.org")
    out = StringIO()
    call_command(
        "recompute_status", "--member", "ada@example.org", "--date", "2026-11-24", stdout=out
    )
    assert "ada@example.org" in out.getvalue() and "bo@example.org" not in out.getvalue()
    other.refresh_from_db()
    assert other.status == "active"
    assert StatusChange.objects.get().source == "on_demand"


def test_the_command_takes_the_email_of_a_contact_login_too():
    contact = MemberContactFactory(
        member__kind="organisation",
        member__organisation_name="Tenants Union",
        member__email="office@tenants.example",
        user__email="ada@example.org",
    )
    OperationalMembershipFactory(member=contact.member, admitted_on=datetime.date(2025, 7, 12))
    lapsing_operational("bo@example.org")
    out = StringIO()
    call_command("recompute_status", "--member", "ADA@example.org", "--dry-run", stdout=out)
    assert "office@tenants.example (operational)" in out.getvalue()
    assert "bo@example.org" not in out.getvalue()


def test_the_command_refuses_a_bad_date_and_an_unknown_member():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("recompute_status", "--date", "24/11/2026")
    with pytest.raises(CommandError, match="nobody@example.org"):
        call_command("recompute_status", "--member", "nobody@example.org")


def test_the_nightly_task_run_twice_changes_once():
    membership, _ = lapsing_operational()
    first = recompute_status_nightly.delay().get()
    second = recompute_status_nightly.delay().get()
    assert first["lapsed"] == 1 and second["lapsed"] == 0
    assert StatusChange.objects.filter(membership=membership).count() == 1


def test_the_nightly_schedule_is_put_in_the_database_once():
    """The migration's step, run here directly: a browser test before this one may have
    flushed what the migrations wrote."""
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = import_module("membership.migrations.0004_nightly_schedule")
    PeriodicTask.objects.filter(name=migration.NAME).delete()
    moved = import_module("standing.migrations.0001_nightly_task_moves_to_standing")
    for _ in range(2):
        migration.schedule(apps, None)
        moved.forward(apps, None)
    task = PeriodicTask.objects.get(task="standing.tasks.recompute_status_nightly")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("2", "30")


# --- /me/ --------------------------------------------------------------------------------------


def test_the_dashboard_needs_a_login(client):
    response = client.get("/me/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_dashboard_shows_the_reasons_before_the_member_lapses(client):
    membership, user = lapsing_operational()
    client.force_login(user)
    page = client.get("/me/").content.decode()
    # "at the next nightly check, on <date>" when beat's schedule is in the database (the
    # migration puts it there; a test that flushes the database removes it), else "tonight".
    assert "Your membership will lapse at" in page
    assert "Not a member of any circle; operational members need at least one." in page
    assert "Ask a circle&#x27;s coordinator to add you to the circle." in page
    membership.refresh_from_db()
    assert membership.status == "active"  # showing is not changing


def test_the_dashboard_shows_only_the_users_own_memberships(client):
    _mine, user = lapsing_operational("ada@example.org")
    lapsing_operational("bo@example.org")
    client.force_login(user)
    response = client.get("/me/")
    assert [c["membership"].member.email for c in response.context["cards"]] == ["ada@example.org"]


def test_the_dashboard_query_count_does_not_grow_with_the_co_op(
    client, django_assert_max_num_queries
):
    _m, user = lapsing_operational()
    contact = MemberContactFactory(user=user)
    user_membership = MembershipFactory(member=contact.member)
    DuesInvoiceFactory(membership=user_membership)
    for _ in range(30):
        OperationalMembershipFactory()
        MembershipFactory()
    client.force_login(user)
    # 17: see test_dashboard_queries.py (one more for the pledge invoices since issue 15, one
    # more for the services the person signed in to since issue 17)
    with django_assert_max_num_queries(17):
        response = client.get("/me/")
    assert len(response.context["cards"]) == 2


def test_the_dashboard_lists_the_meetings_that_count_since_admission(client):
    from governance.models import Meeting

    membership, user = lapsing_operational()
    membership.admitted_on = datetime.date(2026, 3, 1)
    membership.save(update_fields=["admitted_on"])
    MeetingFactory(held_on=datetime.date(2026, 2, 1))  # before the admission
    attended = MeetingFactory(held_on=datetime.date(2026, 3, 1))  # the admission day counts
    missed = MeetingFactory(held_on=datetime.date(2026, 5, 1))
    MeetingFactory(held_on=datetime.date(2026, 6, 1), attendance_recorded_at=None)
    seat = CircleRoleFactory(member=membership.member)
    MeetingFactory(held_on=datetime.date(2026, 7, 1), kind=Meeting.Kind.CIRCLE, circle=seat.circle)
    AttendanceFactory(meeting=attended, member=membership.member)
    AttendanceFactory(meeting=MeetingFactory(held_on=datetime.date(2026, 4, 1)))  # someone else
    client.force_login(user)
    (card,) = client.get("/me/").context["cards"]
    assert [(m.held_on, m.attended) for m in card["meetings"]] == [
        (datetime.date(2026, 5, 1), False),
        (datetime.date(2026, 4, 1), False),
        (datetime.date(2026, 3, 1), True),
    ]
    assert missed in card["meetings"]


def test_the_terms_to_accept_read_as_their_markdown_renders_cleaned(client):
    """New terms are a governance document's adopted text (Markdown): shown rendered, and
    cleaned like every governance text."""
    membership = MembershipFactory()
    contact = MemberContactFactory(member=membership.member)
    TermsVersionFactory(
        version="2.0",
        text="## Use\n\n**Be kind.**\n\n<script>alert(1)</script>",
        published_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC),
    )
    client.force_login(contact.user)
    html = client.get("/me/").content.decode()
    assert "<strong>Be kind.</strong>" in html and "<h3>Use</h3>" in html
    assert "<script>alert" not in html and "**" not in html


def test_a_member_accepts_new_terms_on_the_dashboard(client):
    membership = MembershipFactory()
    contact = MemberContactFactory(member=membership.member)
    version = TermsVersionFactory(
        version="2.0", published_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
    )
    client.force_login(contact.user)
    assert "Please accept Terms of Use 2.0" in client.get("/me/").content.decode()
    response = client.post(f"/me/terms/{version.pk}/accept/")
    assert response.status_code == 302
    assert TermsAcceptance.objects.filter(member=membership.member, terms_version=version).exists()
    client.post(f"/me/terms/{version.pk}/accept/")  # twice is a no-op
    assert TermsAcceptance.objects.filter(member=membership.member).count() == 1
    assert "Please accept" not in client.get("/me/").content.decode()


def test_accepting_terms_needs_a_member_and_a_post(client):
    version = TermsVersionFactory()
    client.force_login(UserFactory())
    assert client.get(f"/me/terms/{version.pk}/accept/").status_code == 405
    assert client.post(f"/me/terms/{version.pk}/accept/").status_code == 404


def test_dry_run_on_the_demo_data_names_who_would_change_and_why():
    """The demo co-op is left as after a night's run plus a day's events."""
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("recompute_status", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "member04@example.org (operational): lapsed -> active. All rules pass." in text
    assert "member15@example.org (user): active -> lapsed. Dues of €10.00" in text
    assert "would change: 1 to active, 1 to lapsed" in text
