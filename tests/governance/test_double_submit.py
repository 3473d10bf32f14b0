"""A governance form sent twice (a double click, a page reloaded and sent again) does its work
once: one meeting, one draft, one role, one application."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from governance.models import Meeting, Proposal, RoleApplication, WagedRole
from meetcoop.core.roles import COOP_ADMINS
from meetcoop.core.submissions import FIELD
from tests.factories import CircleFactory, PolicyFactory, UserFactory, voting_member
from tests.governance.test_waged_roles import person, publish
from tests.submissions import key_on, sent_twice, told_already_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=COOP_ADMINS)[0])
    return user


def in_days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_a_meeting_sent_twice_is_planned_once(client, admin):
    client.force_login(admin)
    data = {"kind": "all_hands", "title": "All Hands June", "held_on": in_days(10)}
    first, second = sent_twice(client, reverse("governance:meeting_create"), data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == reverse("governance:meeting_list")
    assert told_already_sent(second)
    assert Meeting.objects.filter(title="All Hands June").count() == 1


def test_a_meeting_refused_then_corrected_is_planned_once_with_the_same_key(client, admin):
    client.force_login(admin)
    url = reverse("governance:meeting_create")
    data = {"kind": "circle", "title": "Tech sync", "held_on": in_days(3)}
    data[FIELD] = key_on(client, url)
    assert client.post(url, data).status_code == 400  # a circle meeting needs its circle
    data["circle"] = CircleFactory().pk
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 302 and told_already_sent(again)
    assert Meeting.objects.filter(title="Tech sync").count() == 1


def test_a_meeting_posted_without_a_key_is_planned_as_before(client, admin):
    client.force_login(admin)
    data = {"kind": "all_hands", "title": "All Hands July", "held_on": in_days(20)}
    assert client.post(reverse("governance:meeting_create"), data).status_code == 302
    assert Meeting.objects.filter(title="All Hands July").count() == 1


def test_a_draft_sent_twice_is_saved_once_and_both_answers_open_it(client):
    _member, user = voting_member()
    client.force_login(user)
    data = {"title": "Fewer meetings", "text": "Why.", "electorate": "all", "quorum_percent": "0"}
    first, second = sent_twice(client, reverse("governance:proposal_create"), data)
    draft = Proposal.objects.get(title="Fewer meetings")
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == reverse("governance:proposal_detail", args=[draft.pk])
    assert told_already_sent(second)


def test_a_role_sent_twice_is_published_once(client):
    PolicyFactory()
    tech = CircleFactory(name="Tech", slug="tech")
    coordinator = person(tech, "coordinator")
    client.force_login(coordinator.user)
    data = {
        "title": "Bookkeeper",
        "circle": tech.pk,
        "description": "Keep the books.",
        "hours_per_month": "10",
        "pay_per_month": "300",
        "currency": "EUR",
        "closes_on": in_days(5),
    }
    first, second = sent_twice(client, reverse("governance:role_list"), data)
    role = WagedRole.objects.get()
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == reverse("governance:role_detail", args=[role.pk])
    assert told_already_sent(second)


def test_an_application_sent_twice_is_sent_once_without_an_error(client):
    PolicyFactory()
    tech = CircleFactory(name="Tech", slug="tech")
    role = publish(tech, person(tech, "coordinator").user)
    applicant = person()
    client.force_login(applicant.user)
    data = {"member": applicant.member.pk, "statement": "I keep books."}
    first, second = sent_twice(client, reverse("governance:role_detail", args=[role.pk]), data)
    # Before the key, the second answered 400: "This member has already applied".
    assert first.status_code == second.status_code == 302
    assert told_already_sent(second)
    assert RoleApplication.objects.filter(role=role).count() == 1
