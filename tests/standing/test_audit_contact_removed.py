"""Audit: a login that stops acting for a member (an organisation's contact removed, or the
contact row moved to another login in the admin) kept what that member gave it: its forum
groups (pushed only when a status or a seat changes, so never) and, until they expired, its
access tokens at the services the member let it use. Both now follow at once, after the
commit, as after a status change."""

import pytest
from oauth2_provider.models import AccessToken, RefreshToken

from membership.models import MemberContact
from standing.models import ForumAccount
from tests.factories import (
    MemberContactFactory,
    MembershipFactory,
    StewardFactory,
    UserFactory,
    voting_member,
)
from tests.standing.test_discourse_sync import discourse, groups, pushed  # noqa: F401
from tests.standing.test_oidc_provider import CALLBACK, VERIFIER, authorize_url, code_of, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


def test_a_removed_contact_leaves_the_forum_groups_of_the_member(
    discourse,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    member, user = voting_member(member__kind="organisation", member__organisation_name="Org")
    ForumAccount.objects.create(user=user)
    contact = MemberContact.objects.get(member=member, user=user)

    with django_capture_on_commit_callbacks(execute=True):
        contact.delete()

    assert len(discourse.calls) == 1
    fields = pushed(discourse.calls[0])
    assert fields["external_id"] == str(user.pk)
    assert "operational-members" not in groups(fields.get("add_groups"))
    assert "operational-members" in groups(fields["remove_groups"])


def test_a_contact_moved_to_another_login_pushes_both(
    discourse,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    member, user = voting_member(member__kind="organisation", member__organisation_name="Org")
    newcomer = UserFactory()
    ForumAccount.objects.create(user=user)
    ForumAccount.objects.create(user=newcomer)
    contact = MemberContact.objects.get(member=member, user=user)

    with django_capture_on_commit_callbacks(execute=True):
        contact.user = newcomer
        contact.save()

    by_login = {pushed(call)["external_id"]: pushed(call) for call in discourse.calls}
    assert "operational-members" in groups(by_login[str(user.pk)]["remove_groups"])
    assert "operational-members" in groups(by_login[str(newcomer.pk)]["add_groups"])


def test_a_removed_contact_loses_its_tokens_at_the_members_services(
    client, django_capture_on_commit_callbacks
):
    steward = StewardFactory()
    registered = register(steward, UserFactory(is_superuser=True, is_staff=True))
    contact = MemberContactFactory(member__kind="organisation", member__organisation_name="Org")
    MembershipFactory(member=contact.member, steward=steward)
    client.force_login(contact.user)
    application = registered.service.application
    application.skip_authorization = True
    application.save(update_fields=["skip_authorization"])
    code, _query = code_of(client.get(authorize_url(application)))
    answer = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": application.client_id,
            "client_secret": registered.client_secret,
            "code_verifier": VERIFIER,
        },
    )
    assert answer.status_code == 200
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {answer.json()['access_token']}"}
    assert client.get("/o/userinfo/", **bearer).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        contact.delete()

    assert not AccessToken.objects.filter(user=contact.user).exists()
    assert not RefreshToken.objects.filter(user=contact.user, revoked__isnull=True).exists()
    assert client.get("/o/userinfo/", **bearer).status_code == 401
