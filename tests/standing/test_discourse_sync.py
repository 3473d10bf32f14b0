"""Pushing forum groups with Discourse's ``sync_sso``, recorded by a tiny Discourse: a local
HTTP server that keeps every POST and answers what the test says."""

import base64
import datetime
import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from governance.services import circle_seat_add, circle_seat_end
from meetcoop.core.roles import COOP_ADMINS, ensure_role_groups
from membership.services import membership_status_set
from standing.discourse.tasks import MAX_RETRIES
from standing.models import ForumAccount, ForumSyncFailure
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    StewardAdminFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
    UserFactory,
    voting_member,
)

SECRET = "forum-shared-secret-0123456789"
API_KEY = "an-api-key-for-system"


class TinyDiscourse(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        server.calls.append({"path": self.path, "headers": dict(self.headers), "form": body})
        status = server.answers.pop(0) if server.answers else server.default
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"success": "OK"}' if status == 200 else b'{"failed": "FAILED"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def discourse(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), TinyDiscourse)
    server.calls, server.answers, server.default = [], [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.DISCOURSE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.DISCOURSE_CONNECT_SECRET = SECRET
    settings.DISCOURSE_API_KEY = API_KEY
    settings.DISCOURSE_API_USERNAME = "system"
    yield server
    server.shutdown()
    server.server_close()


def pushed(call) -> dict:
    """What Discourse does with a sync_sso POST: check the key and the signature, decode."""
    assert call["path"] == "/admin/users/sync_sso"
    assert call["headers"]["Api-Key"] == API_KEY
    assert call["headers"]["Api-Username"] == "system"
    form = {key: values[0] for key, values in parse_qs(call["form"]).items()}
    expected = hmac.new(SECRET.encode(), form["sso"].encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, form["sig"])
    fields = parse_qs(base64.b64decode(form["sso"]).decode(), keep_blank_values=True)
    return {key: values[0] for key, values in fields.items()}


def groups(value: str | None) -> set[str]:
    return set(value.split(",")) if value else set()


def forum_member(**kwargs):
    """A member with a login that has entered the forum."""
    member, user = voting_member(**kwargs)
    ForumAccount.objects.create(user=user)
    return member, user, member.memberships.get()


@pytest.mark.django_db
def test_a_member_lapses_and_is_reinstated(discourse, django_capture_on_commit_callbacks):
    _member, user, membership = forum_member(membership_type="user")
    voting_member()  # another member, never on the forum: never pushed

    with django_capture_on_commit_callbacks(execute=True):
        membership_status_set(
            membership=membership, status="lapsed", actor=None, note="Dues unpaid."
        )

    assert len(discourse.calls) == 1
    lapsed = pushed(discourse.calls[0])
    assert lapsed["external_id"] == str(user.pk)
    assert lapsed["email"] == user.email
    assert "user-members" not in groups(lapsed.get("add_groups"))
    assert "user-members" in groups(lapsed["remove_groups"])

    with django_capture_on_commit_callbacks(execute=True):
        membership_status_set(membership=membership, status="active", actor=None, note="Dues paid.")

    assert len(discourse.calls) == 2
    reinstated = pushed(discourse.calls[1])
    assert groups(reinstated["add_groups"]) == {"user-members"}
    assert "user-members" not in groups(reinstated["remove_groups"])
    assert not ForumSyncFailure.objects.exists()


@pytest.mark.django_db
def test_the_status_job_lapses_and_reinstates_a_member(
    discourse, django_capture_on_commit_callbacks, policy
):
    from standing.services import status_recompute

    _member, user, membership = forum_member(membership_type="user")
    TermsAcceptanceFactory(
        member=membership.member,
        terms_version=TermsVersionFactory(
            version="1.0", published_at=timezone.now() - datetime.timedelta(days=400)
        ),
    )
    today = timezone.localdate()
    invoice = DuesInvoiceFactory(
        membership=membership,
        due_on=today - datetime.timedelta(days=60),
        period_start=today - datetime.timedelta(days=60),
    )

    with django_capture_on_commit_callbacks(execute=True):
        status_recompute(on=today, source="command")

    membership.refresh_from_db()
    assert membership.status == "lapsed"
    assert len(discourse.calls) == 1
    assert "user-members" in groups(pushed(discourse.calls[0])["remove_groups"])

    DuesPaymentFactory(invoice=invoice, paid_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        status_recompute(on=today, source="command")

    membership.refresh_from_db()
    assert membership.status == "active"
    assert len(discourse.calls) == 2
    assert groups(pushed(discourse.calls[1])["add_groups"]) == {"user-members"}


@pytest.mark.django_db
def test_a_seat_change_pushes_the_circle_group(discourse, django_capture_on_commit_callbacks):
    member, _user, _membership = forum_member()
    tech = CircleFactory(slug="tech")
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        seat = circle_seat_add(
            circle=tech, member=member, role="member", started_on=today, actor=None
        )

    assert len(discourse.calls) == 1
    assert "circle-tech" in groups(pushed(discourse.calls[0])["add_groups"])

    # Seated until the end of today: pushed, and still in the group today.
    with django_capture_on_commit_callbacks(execute=True):
        circle_seat_end(seat=seat, ended_on=today, actor=None)

    assert len(discourse.calls) == 2
    assert "circle-tech" in groups(pushed(discourse.calls[1])["add_groups"])


@pytest.mark.django_db
def test_a_seat_that_ended_removes_the_circle_group(discourse, django_capture_on_commit_callbacks):
    member, _user, _membership = forum_member()
    tech = CircleFactory(slug="tech")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        seat = circle_seat_add(
            circle=tech,
            member=member,
            role="member",
            started_on=yesterday - datetime.timedelta(days=30),
            actor=None,
        )
        circle_seat_end(seat=seat, ended_on=yesterday, actor=None)

    last = pushed(discourse.calls[-1])
    assert "circle-tech" in groups(last["remove_groups"])
    assert "circle-tech" not in groups(last.get("add_groups"))


@pytest.mark.django_db
def test_pushing_twice_sends_the_same_groups(discourse):
    from standing.discourse.tasks import discourse_sync

    _member, user, _membership = forum_member()
    discourse_sync.delay([user.pk])
    discourse_sync.delay([user.pk])

    first, second = (pushed(call) for call in discourse.calls)
    assert first == second


@pytest.mark.django_db
def test_a_failing_forum_is_retried_then_shown_to_the_coop_admin(
    discourse, django_capture_on_commit_callbacks, client
):
    _member, user, membership = forum_member(membership_type="user")
    discourse.default = 500

    with django_capture_on_commit_callbacks(execute=True):
        membership_status_set(
            membership=membership, status="lapsed", actor=None, note="Dues unpaid."
        )

    assert len(discourse.calls) == MAX_RETRIES + 1
    assert len({call["form"] for call in discourse.calls}) == 1  # the same payload each time
    failure = ForumSyncFailure.objects.get()
    assert failure.user == user
    assert failure.status_code == 500
    assert failure.attempts == MAX_RETRIES + 1
    assert failure.will_retry is False
    assert failure.resolved_at is None

    ensure_role_groups()
    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=COOP_ADMINS))
    client.force_login(admin)
    changelist = reverse("admin:standing_forumsyncfailure_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert user.email in page.content.decode()

    discourse.default = 200
    response = client.post(
        changelist, {"action": "retry_now", "_selected_action": [failure.pk]}, follow=True
    )
    assert response.status_code == 200
    failure.refresh_from_db()
    assert failure.resolved_at is not None
    assert "user-members" in groups(pushed(discourse.calls[-1])["remove_groups"])


@pytest.mark.django_db
def test_a_refusal_is_not_retried(discourse):
    from standing.discourse.tasks import discourse_sync

    _member, user, _membership = forum_member()
    discourse.answers = [403]

    discourse_sync.delay([user.pk])

    assert len(discourse.calls) == 1
    failure = ForumSyncFailure.objects.get()
    assert (failure.status_code, failure.will_retry, failure.attempts) == (403, False, 1)


@pytest.mark.django_db
def test_a_passing_failure_is_retried_alone_and_then_resolved(discourse):
    from standing.discourse.tasks import discourse_sync

    _m1, first, _ = forum_member()
    _m2, second, _ = forum_member()
    discourse.answers = [200, 502]  # the first person goes through, the second fails once

    discourse_sync.delay([first.pk, second.pk])

    assert [pushed(call)["external_id"] for call in discourse.calls] == [
        str(first.pk),
        str(second.pk),
        str(second.pk),
    ]
    failure = ForumSyncFailure.objects.get()
    assert failure.user == second
    assert failure.resolved_at is not None


@pytest.mark.django_db
def test_an_unreachable_forum_is_recorded(settings, discourse):
    from standing.discourse.tasks import discourse_sync

    _member, user, _membership = forum_member()
    discourse.shutdown()
    discourse.server_close()
    settings.DISCOURSE_URL = "http://127.0.0.1:9"  # nothing listens there

    discourse_sync.delay([user.pk])

    failure = ForumSyncFailure.objects.get()
    assert failure.status_code is None
    assert "Error" in failure.error


@pytest.mark.django_db
def test_only_coop_admins_see_the_failures(client):
    ForumSyncFailure.objects.create(user=UserFactory(), error="HTTP 500")
    client.force_login(StewardAdminFactory())
    assert client.get(reverse("admin:standing_forumsyncfailure_changelist")).status_code == 403


@pytest.mark.django_db
def test_nothing_is_pushed_without_an_api_key(discourse, settings):
    from standing.discourse.tasks import discourse_sync

    settings.DISCOURSE_API_KEY = ""
    _member, user, membership = forum_member()
    membership_status_set(membership=membership, status="lapsed", actor=None, note="Unpaid.")
    discourse_sync.delay([user.pk])
    assert discourse.calls == []


@pytest.mark.django_db
def test_the_groups_of_many_people_take_three_queries(django_assert_num_queries):
    from standing.discourse.selectors import forum_groups

    tech = CircleFactory(slug="tech")
    users = []
    for _ in range(12):
        member, user = voting_member(membership_type="user")
        CircleRoleFactory(member=member, circle=tech)
        users.append(user)

    with django_assert_num_queries(3):
        groups_of = forum_groups([user.pk for user in users], on=timezone.localdate())

    assert all(groups_of[user.pk] == {"user-members", "circle-tech"} for user in users)
