"""Audit: a login deactivated in the admin signs in nowhere (docs/services.md), but the forum
still counted it in its members' groups: the deactivation pushed nothing, and any later push
(a status or seat change of the member it acts for) added the groups again. A deactivated
login is now in no group, and deactivating it pushes that at once, after the commit."""

import pytest
from django.utils import timezone

from membership.services import membership_status_set
from standing.discourse.selectors import forum_groups
from standing.models import ForumAccount
from tests.factories import voting_member
from tests.standing.test_discourse_sync import discourse, groups, pushed  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_deactivated_login_is_in_no_forum_group():
    _member, user = voting_member()
    user.is_active = False
    user.save()
    assert forum_groups([user.pk], on=timezone.localdate()) == {user.pk: set()}


def test_deactivating_a_login_takes_it_out_of_its_forum_groups_at_once(
    discourse,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    member, user = voting_member()
    ForumAccount.objects.create(user=user)

    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()

    assert len(discourse.calls) == 1
    fields = pushed(discourse.calls[0])
    assert not groups(fields.get("add_groups"))
    assert "operational-members" in groups(fields["remove_groups"])

    # A later change of the member's status pushes no group back.
    with django_capture_on_commit_callbacks(execute=True):
        membership_status_set(
            membership=member.memberships.get(), status="lapsed", actor=None, note="Dues."
        )
        membership_status_set(
            membership=member.memberships.get(), status="active", actor=None, note="Paid."
        )
    assert all(not groups(pushed(call).get("add_groups")) for call in discourse.calls)
