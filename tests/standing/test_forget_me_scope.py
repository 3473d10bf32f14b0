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
