"""Audit of the data download (``/me/data.json``, "everything the co-op holds about" the
person): the co-op records each sign-in to its services (``ServiceSignIn``) and when the login
entered the forum (``ForumAccount``), and neither was in the download. Both are, with the
account, and only the person's own."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from standing.models import ForumAccount, ServiceSignIn
from standing.oidc.services import service_register
from tests.factories import StewardFactory, UserFactory, voting_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


def test_the_download_holds_the_services_and_forum_sign_ins(client):
    _member, user = voting_member()
    _other_member, other = voting_member()
    steward = StewardFactory(name="Maple Rooms")
    service = service_register(
        steward=steward,
        name="Maple Greenlight",
        redirect_uris=["https://rooms.example.org/cb"],
        actor=UserFactory(is_superuser=True),
    ).service
    ServiceSignIn.objects.create(user=user, service=service, at=timezone.now())
    ServiceSignIn.objects.create(user=other, service=service, at=timezone.now())
    ForumAccount.objects.create(user=user)

    client.force_login(user)
    account = json.loads(client.get(reverse("standing:my_data")).content)["account"]

    assert [(row["service_name"], row["steward_name"]) for row in account["service_sign_ins"]] == [
        ("Maple Greenlight", "Maple Rooms")
    ]
    assert account["forum"]["first_signed_in_at"]


def test_a_login_that_never_signed_in_anywhere_has_empty_entries(client):
    _member, user = voting_member()
    client.force_login(user)
    account = json.loads(client.get(reverse("standing:my_data")).content)["account"]
    assert account["service_sign_ins"] == [] and account["forum"] is None
