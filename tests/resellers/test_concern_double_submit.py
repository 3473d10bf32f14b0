"""A concern, or an answer to one, sent twice (a double click, a page reloaded and sent again)
is recorded once."""

import pytest
from django.urls import reverse

from resellers.models import Concern, ConcernEntry
from resellers.services import concern_raise
from tests.factories import MemberContactFactory, MembershipFactory
from tests.submissions import sent_twice, told_already_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(steward):
    contact = MemberContactFactory()
    MembershipFactory(member=contact.member, steward=steward)
    return contact.user


def test_a_concern_sent_twice_is_raised_once(client, reporter, steward):
    client.force_login(reporter)
    data = {"kind": "service", "steward": steward.pk, "description": "Rooms drop every hour."}
    first, second = sent_twice(client, reverse("concerns:new"), data)
    concern = Concern.objects.get()
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == reverse("concerns:detail", args=[concern.pk])
    assert told_already_sent(second)


def test_an_answer_sent_twice_is_recorded_once(client, reporter, steward):
    concerned = MemberContactFactory()
    MembershipFactory(member=concerned.member, steward=steward)
    concern = concern_raise(
        user=reporter, kind="use", member_email=concerned.member.email, description="Abuse."
    )
    client.force_login(concerned.user)
    url = reverse("concerns:detail", args=[concern.pk])
    first, second = sent_twice(client, url, {"text": "It was a one-off event."})
    assert first.status_code == second.status_code == 302
    assert told_already_sent(second)
    assert concern.entries.filter(kind=ConcernEntry.Kind.ANSWER).count() == 1
