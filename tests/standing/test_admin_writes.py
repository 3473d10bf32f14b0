"""Recompute now, from the memberships admin: change permission, and an audit entry."""

import pytest

from meetcoop.core.models import AuditEntry
from membership.models import StatusRun
from tests.factories import MembershipFactory, StewardAdminFactory, StewardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

URL = "/admin/membership/membership/"


def test_recompute_now_is_audited_with_who_asked_and_for_which(client, coop_admin):
    membership = MembershipFactory()
    client.force_login(coop_admin)
    client.post(URL, {"action": "recompute_now", "_selected_action": [membership.pk]})
    run = StatusRun.objects.get()
    entry = AuditEntry.objects.get(action="standing.status.recomputed")
    assert (entry.actor, entry.object_id) == (coop_admin, str(run.pk))
    assert entry.data["memberships"] == [membership.pk]


def test_a_view_only_steward_admin_cannot_recompute(client):
    steward = StewardFactory()
    membership = MembershipFactory(steward=steward)
    client.force_login(StewardAdminFactory(stewards=[steward]))
    client.post(URL, {"action": "recompute_now", "_selected_action": [membership.pk]})
    assert not StatusRun.objects.exists()
    assert not AuditEntry.objects.filter(action="standing.status.recomputed").exists()
