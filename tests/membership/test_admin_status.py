"""Status changes made by people in the admin: with a reason, recorded, emailed; scoped."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from meetcoop.core.roles import STEWARD_ADMINS, ensure_role_groups
from membership.models import StatusChange
from tests.factories import MembershipFactory, StewardFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

URL = "/admin/membership/membership/"


def test_suspending_asks_for_a_reason_then_records_and_emails_it(
    client, coop_admin, django_capture_on_commit_callbacks
):
    membership = MembershipFactory()
    client.force_login(coop_admin)
    ask = client.post(URL, {"action": "suspend_selected", "_selected_action": [membership.pk]})
    assert ask.status_code == 200 and b"Why (sent to each member" in ask.content
    empty = client.post(
        URL, {"action": "suspend_selected", "_selected_action": [membership.pk], "apply": "1"}
    )
    assert empty.status_code == 200  # the reason is required: the page asks again
    membership.refresh_from_db()
    assert membership.status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            URL,
            {
                "action": "suspend_selected",
                "_selected_action": [membership.pk],
                "apply": "1",
                "reason": "Rooms resold to third parties.",
            },
        )
    assert done.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "suspended"
    change = StatusChange.objects.get(membership=membership)
    assert (change.source, change.actor, change.note) == (
        "person",
        coop_admin,
        "Rooms resold to third parties.",
    )
    assert "Rooms resold to third parties." in mail.outbox[-1].body


def test_the_status_field_is_not_editable(client, coop_admin):
    membership = MembershipFactory()
    client.force_login(coop_admin)
    page = client.get(f"{URL}{membership.pk}/change/")
    assert b'name="status"' not in page.content
    assert b'name="ended_on"' not in page.content  # set with the status, by "End"


def test_the_status_is_not_editable_on_the_members_page_either(client, coop_admin):
    membership = MembershipFactory()
    client.force_login(coop_admin)
    page = client.get(f"/admin/membership/member/{membership.member_id}/change/")
    assert page.status_code == 200
    assert b"memberships-0-id" in page.content  # the inline is there, shown read-only
    assert b"memberships-0-status" not in page.content
    assert b"memberships-0-type" not in page.content  # nothing of a membership edited here


def test_recompute_now_from_the_admin(client, coop_admin):
    membership = MembershipFactory()  # no terms to accept, no dues: stays active
    client.force_login(coop_admin)
    response = client.post(
        URL, {"action": "recompute_now", "_selected_action": [membership.pk]}, follow=True
    )
    assert b"1 evaluated" in response.content


def test_a_steward_admin_cannot_act_on_another_stewards_membership(client):
    ensure_role_groups()
    mine, theirs = StewardFactory(), StewardFactory()
    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=STEWARD_ADMINS))
    mine.admins.add(admin)
    other = MembershipFactory(steward=theirs)
    client.force_login(admin)
    client.post(
        URL,
        {
            "action": "suspend_selected",
            "_selected_action": [other.pk],
            "apply": "1",
            "reason": "x",
        },
    )
    other.refresh_from_db()
    assert other.status == "active"
    assert not StatusChange.objects.exists()
