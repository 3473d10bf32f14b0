"""Review R4: /me/forget/ acts only for the members the person acts for; a guessed id of
another person's member, even a former one, is a 404 and nothing is recorded."""

import pytest
from django.urls import reverse

from membership.models import ErasureRequest
from tests.factories import voting_member
from tests.standing.test_erasure import end

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


def test_asking_to_forget_another_persons_member_is_404(client):
    other, _other_user = voting_member()
    end(other.memberships.get())
    member, user = voting_member()
    client.force_login(user)
    response = client.post(reverse("standing:forget_me"), {"member": other.pk, "understood": "on"})
    assert response.status_code == 404
    assert not ErasureRequest.objects.exists()
    # Their own, once ended, is recorded.
    end(member.memberships.get())
    client.post(reverse("standing:forget_me"), {"member": member.pk, "understood": "on"})
    assert ErasureRequest.objects.get().member == member


def test_a_member_still_holding_a_membership_is_told_what_to_end_first(client):
    """Their own member, box ticked, but not a former member yet: the page says which
    membership to end first, not to tick the box they ticked."""
    member, user = voting_member()
    client.force_login(user)
    response = client.post(
        reverse("standing:forget_me"), {"member": member.pk, "understood": "on"}, follow=True
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "This member still holds a membership: end it first" in text
    assert "Tick the box" not in text
    assert not ErasureRequest.objects.exists()
