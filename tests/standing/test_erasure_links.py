"""What else an erasure must reach: the erased login's links to the co-op's services (OAuth
tokens, codes, the subject services know it by) and to the forum (its nonces, its copy of
the name and email), the request's own reason; the append-only exception stays narrow; and
nobody but a co-op admin reaches the requests, whatever the page."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from meetcoop.core.erasure import erase_update
from meetcoop.core.models import AuditEntry
from meetcoop.core.roles import TREASURERS, ensure_role_groups
from membership.models import ErasureRequest
from membership.services import erasure_request
from standing import erasure as erasure_module
from standing.models import (
    DiscourseNonce,
    ForumAccount,
    ForumSyncFailure,
    ImportRun,
    ServiceSignIn,
    ServiceSubject,
)
from standing.oidc.services import service_register, subject_of
from standing.services import erasure_confirm
from tests.factories import (
    CoopStewardFactory,
    MemberContactFactory,
    MemberFactory,
    StewardAdminFactory,
    UserFactory,
    voting_member,
)
from tests.standing.test_erasure import EMAIL, NAME, database_text, end

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


def a_former_member_signed_in_to_services(coop_admin):
    """A former member whose login holds a service's tokens, a subject, forum nonces, a forum
    account and a failed push whose error names its email."""
    member, user = voting_member()
    user.email, user.name = EMAIL, NAME
    user.save(update_fields=["email", "name"])
    end(member.memberships.get())
    steward = CoopStewardFactory()
    application = service_register(
        steward=steward,
        name="Rooms",
        redirect_uris=["https://rooms.example.org/auth/openid_connect/callback"],
        actor=coop_admin,
    ).service.application
    now = timezone.now()
    id_token = IDToken.objects.create(
        user=user,
        application=application,
        jti="0f7c1a8e-1111-4f00-9c00-000000000001",
        expires=now + datetime.timedelta(hours=1),
    )
    access = AccessToken.objects.create(
        user=user,
        application=application,
        token="access-1",
        id_token=id_token,
        expires=now + datetime.timedelta(hours=1),
    )
    RefreshToken.objects.create(
        user=user, application=application, token="refresh-1", access_token=access
    )
    Grant.objects.create(
        user=user,
        application=application,
        code="code-1",
        expires=now + datetime.timedelta(minutes=1),
        redirect_uri="https://rooms.example.org/auth/openid_connect/callback",
    )
    subject_of(user)
    ServiceSignIn.objects.create(user=user, service=application.service, at=now)
    DiscourseNonce.objects.create(nonce="n-1", user=user)
    ForumAccount.objects.create(user=user)
    ForumSyncFailure.objects.create(
        user=user, status_code=422, error=f'HTTP 422: {{"errors": ["{EMAIL} is taken"]}}'
    )
    return member, user


def test_erasure_cuts_the_logins_service_and_forum_links(coop_admin):
    member, user = a_former_member_signed_in_to_services(coop_admin)
    # Someone else's tokens and subject are not touched.
    other = UserFactory()
    subject_of(other)
    other_token = AccessToken.objects.create(
        user=other,
        application=AccessToken.objects.get().application,
        token="access-other",
        expires=timezone.now() + datetime.timedelta(hours=1),
    )

    request = erasure_request(member=member, actor=user)
    erasure_confirm(request=request, actor=coop_admin)

    for model in (AccessToken, RefreshToken, IDToken, Grant, ServiceSubject, DiscourseNonce):
        assert not model.objects.filter(user=user).exists(), model.__name__
    assert AccessToken.objects.get() == other_token
    assert ServiceSubject.objects.filter(user=other).exists()
    # Who signed in where and when stays (ids and times), like attendance.
    assert ServiceSignIn.objects.filter(user=user).count() == 1
    # The failed push's error no longer names them.
    assert EMAIL not in ForumSyncFailure.objects.get(user=user).error
    assert EMAIL.lower() not in database_text()
    entry = AuditEntry.objects.get(action="standing.erasure.confirmed")
    assert entry.data["service_links_cut"]["refresh_tokens"] == 1
    assert entry.data["service_links_cut"]["service_subjects"] == 1


def test_a_shared_login_keeps_its_service_links(coop_admin):
    member, user = a_former_member_signed_in_to_services(coop_admin)
    organisation = MemberFactory(kind="organisation", organisation_name="Coop Org")
    MemberContactFactory(member=organisation, user=user)
    request = erasure_request(member=member, actor=user)
    erasure_confirm(request=request, actor=coop_admin)
    assert RefreshToken.objects.filter(user=user).exists()
    assert ServiceSubject.objects.filter(user=user).exists()


def test_the_forum_is_told_the_pseudonym_after_the_commit(
    coop_admin, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DISCOURSE_URL = "https://forum.example.org"
    settings.DISCOURSE_CONNECT_SECRET = "s" * 32
    settings.DISCOURSE_API_KEY = "key"
    member, user = a_former_member_signed_in_to_services(coop_admin)
    pushed = []
    monkeypatch.setattr(erasure_module, "discourse_sync_enqueue", pushed.append)
    request = erasure_request(member=member, actor=user)
    with django_capture_on_commit_callbacks(execute=True):
        erasure_confirm(request=request, actor=coop_admin)
    assert pushed == [[user.pk]]


def test_nothing_is_pushed_without_the_forum(coop_admin, settings, monkeypatch):
    settings.DISCOURSE_API_KEY = ""
    member, user = a_former_member_signed_in_to_services(coop_admin)
    pushed = []
    monkeypatch.setattr(erasure_module, "discourse_sync_enqueue", pushed.append)
    request = erasure_request(member=member, actor=user)
    erasure_confirm(request=request, actor=coop_admin)
    assert pushed == []


def test_the_requests_own_reason_is_swept(coop_admin):
    member, user = voting_member()
    user.email = EMAIL
    user.save(update_fields=["email"])
    member.name = NAME
    member.save(update_fields=["name"])
    end(member.memberships.get())
    request = erasure_request(member=member, actor=user, reason=f"I, {NAME}, moved away.")
    done = erasure_confirm(request=request, actor=coop_admin)
    done.refresh_from_db()
    assert NAME not in done.reason and done.pseudonym in done.reason
    assert done.pseudonym.startswith("Former member ")  # its own columns are kept


# --- the append-only exception is narrow -------------------------------------------------------


def test_erase_update_refuses_what_is_not_listed(coop_admin):
    entry = AuditEntry.objects.create(action="x.y", object_repr=NAME)
    with pytest.raises(ValueError):
        erase_update(AuditEntry.objects.filter(pk=entry.pk), action="z")
    run = ImportRun.objects.create(outcome="checked", files=[{"name": NAME}])
    # An append-only table with no listed column: no exception at all.
    with pytest.raises(ValueError):
        erase_update(ImportRun.objects.filter(pk=run.pk), files=[])
    assert ImportRun.objects.get(pk=run.pk).files == [{"name": NAME}]
    assert AuditEntry.objects.get(pk=entry.pk).action == "x.y"


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="the triggers exist on PostgreSQL",
)
def test_even_inside_the_erasure_a_delete_or_an_unlisted_table_is_refused(coop_admin):
    from django.db import DatabaseError, connection, transaction

    from meetcoop.core.erasure import erasure_allowed

    entry = AuditEntry.objects.create(action="x.y", object_repr=NAME)
    run = ImportRun.objects.create(outcome="checked")
    statements = [
        ("DELETE FROM core_auditentry WHERE id = %s", entry.pk),
        ("UPDATE core_auditentry SET object_repr = 'a', action = 'b' WHERE id = %s", entry.pk),
        ("UPDATE standing_importrun SET files = '[]'::jsonb WHERE id = %s", run.pk),
    ]
    with transaction.atomic(), erasure_allowed():
        for sql, pk in statements:
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, [pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == NAME


# --- who reaches the requests ------------------------------------------------------------------


def treasurer():
    ensure_role_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=TREASURERS))
    return user


@pytest.mark.parametrize("who", ["treasurer", "steward_admin"])
def test_a_treasurer_or_steward_admin_reaches_no_request(client, coop_admin, who):
    member, user = voting_member()
    membership = member.memberships.get()
    end(membership)
    request = erasure_request(member=member, actor=user)
    actor = (
        treasurer() if who == "treasurer" else StewardAdminFactory(stewards=[membership.steward])
    )
    client.force_login(actor)
    change = reverse("admin:membership_erasurerequest_change", args=[request.pk])
    changelist = reverse("admin:membership_erasurerequest_changelist")
    on_behalf = reverse("admin:membership_erasurerequest_on_behalf", args=[member.pk])
    assert client.get(change).status_code in (302, 403)
    assert client.get(changelist).status_code == 403
    assert client.get(on_behalf).status_code == 403
    for action in ("confirm_selected", "refuse_selected"):
        client.post(
            changelist,
            {
                "action": action,
                "_selected_action": [request.pk],
                "apply": "1",
                "understood": "on",
                "reason": "no",
            },
        )
    assert client.post(on_behalf).status_code == 403
    request.refresh_from_db()
    assert request.status == "requested"
    assert ErasureRequest.objects.count() == 1


def test_a_member_cannot_ask_for_another_member_by_its_id(client):
    member, user = voting_member()
    end(member.memberships.get())
    stranger, _ = voting_member()
    end(stranger.memberships.get())
    client.force_login(user)
    response = client.post(
        reverse("standing:forget_me"), {"member": stranger.pk, "understood": "on"}
    )
    assert response.status_code == 404
    assert not ErasureRequest.objects.exists()


def test_the_on_behalf_page_of_no_member_is_404(client, coop_admin):
    client.force_login(coop_admin)
    url = reverse("admin:membership_erasurerequest_on_behalf", args=[999999])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="the setting exists on PostgreSQL",
)
def test_a_failing_statement_inside_the_erasure_shows_its_own_error(coop_admin):
    from django.db import DataError, connection, transaction

    from meetcoop.core.erasure import erasure_allowed

    atomic = transaction.atomic()
    with pytest.raises(DataError), atomic, erasure_allowed(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('meetcoop.erasure', true)")
        assert cursor.fetchone()[0] in (None, "", "off")
