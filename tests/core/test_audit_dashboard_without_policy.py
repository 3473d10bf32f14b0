"""A member's page (``/me/``) never fails because the co-op's policy is missing.

User memberships need no policy to be made (a user application is taken and approved
without one), and a membership may be bound by a day before the first policy; the rules can't
be evaluated then, but the page still opens and says why instead of answering 500."""

import datetime

import pytest
from django.test import Client

from membership.models import Policy, StatusChange
from tests.factories import MemberContactFactory, MembershipFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_my_page_opens_when_no_policy_is_in_force():
    contact = MemberContactFactory()
    membership = MembershipFactory(member=contact.member)
    StatusChange.objects.create(
        membership=membership,
        old_status="pending",
        new_status="active",
        effective_on=datetime.date.today(),
        source=StatusChange.Source.PERSON,
    )
    assert not Policy.objects.exists()
    response = _client(contact.user).get("/me/")
    assert response.status_code == 200
    assert b"No policy is in force on" in response.content
    # The membership is shown with the status it holds; what can't be read without a policy
    # (circles, proposals) is not said to be empty.
    (card,) = response.context["cards"]
    assert card["membership"].member == contact.member
    page = response.content.decode()
    assert f'id="ms-{card["membership"].pk}"' in page
    assert "You are not in a circle." not in page
    assert card["history_total"] == 1  # its history, read without a policy
    assert "<h3>Why</h3>" not in page  # no rules to show


def test_my_page_opens_when_only_a_future_policy_exists():
    contact = MemberContactFactory()
    MembershipFactory(member=contact.member)
    PolicyFactory(effective_from=datetime.date.today() + datetime.timedelta(days=30))
    response = _client(contact.user).get("/me/")
    assert response.status_code == 200
    assert b"No policy is in force on" in response.content


def test_my_page_opens_for_a_membership_bound_before_the_first_policy():
    contact = MemberContactFactory()
    MembershipFactory(
        member=contact.member,
        type="operational",
        service_level=None,
        applied_on=datetime.date(2019, 1, 1),
        admitted_on=datetime.date(2019, 2, 1),
    )
    PolicyFactory()  # from 2020-01-01: nothing binds a membership applied for in 2019
    response = _client(contact.user).get("/me/")
    assert response.status_code == 200
    assert b"No policy is in force on" in response.content


def test_a_refused_forget_me_request_still_shows_the_page_without_a_policy():
    contact = MemberContactFactory()
    MembershipFactory(member=contact.member)
    response = _client(contact.user).post("/me/forget/", {"member": contact.member.pk})
    assert response.status_code == 400
    assert b"No policy is in force on" in response.content
