"""Waged roles and the public list of members against forged and bad input, guessed ids,
another circle's coordinator and visitors; the public list's consent and activity rule; and
the role and circle pages in a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import selectors, services
from governance.models import Proposal, PublicListing, RoleApplication, RoleHolder, WagedRole
from membership.models import Membership
from tests.factories import (
    CircleFactory,
    GovernanceDocumentFactory,
    MemberContactFactory,
    MembershipFactory,
    PolicyFactory,
    PublicListingFactory,
    UserFactory,
    voting_member,
)
from tests.governance.test_waged_roles import person, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech(db):
    PolicyFactory()
    return CircleFactory(name="Tech", slug="tech")


@pytest.fixture
def applied(tech):
    coordinator = person(tech, "coordinator")
    role = publish(tech, coordinator.user)
    applicant = person()
    application = services.role_apply(
        role=role, member=applicant.member, statement="I patch.", actor=applicant.user
    )
    return coordinator, role, applicant, application


def apply(role, statement="Me"):
    someone = person()
    return services.role_apply(
        role=role, member=someone.member, statement=statement, actor=someone.user
    )


# --- deciding: forged posts, guessed ids, another circle ----------------------------------


@pytest.mark.parametrize(
    "data", [{}, {"decision": ""}, {"decision": "yes"}, {"decision": ["accept", "maybe"]}]
)
def test_a_decision_post_that_says_neither_accept_nor_decline_decides_nothing(
    client, applied, data
):
    coordinator, _role, _applicant, application = applied
    client.force_login(coordinator.user)
    response = client.post(
        reverse("governance:role_decide", args=[application.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert "Choose Accept or Decline." in response.content.decode()
    application.refresh_from_db()
    assert application.status == RoleApplication.Status.PENDING
    assert application.decided_by is None
    assert not RoleHolder.objects.exists()


def test_declining_on_the_page_records_why_and_makes_no_holder(client, applied):
    coordinator, _role, _applicant, application = applied
    client.force_login(coordinator.user)
    client.post(
        reverse("governance:role_decide", args=[application.pk]),
        {"decision": "decline", "note": "  Not this year.  "},
    )
    application.refresh_from_db()
    assert application.status == RoleApplication.Status.DECLINED
    assert (application.decided_by, application.decision_note) == (
        coordinator.user,
        "Not this year.",
    )
    assert not RoleHolder.objects.exists()


def test_guessed_ids_are_404(client, applied):
    coordinator, _role, _applicant, _application = applied
    client.force_login(coordinator.user)
    closes = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    for name, data in (
        ("governance:role_decide", {"decision": "accept"}),
        ("governance:role_propose", {"electorate": "circle", "closes_at": closes}),
        ("governance:role_holding_end", {"ended_on": "2030-01-01"}),
    ):
        assert client.post(reverse(name, args=[987654]), data).status_code == 404
    assert client.get(reverse("governance:role_detail", args=[987654])).status_code == 404


def test_another_circles_coordinator_decides_sends_and_ends_nothing(client, applied):
    coordinator, role, _applicant, application = applied
    held = apply(role)
    services.role_application_decide(application=held, accept=True, actor=coordinator.user)
    holding = RoleHolder.objects.get()
    outsider = person(CircleFactory(), "coordinator")
    client.force_login(outsider.user)
    closes = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            reverse("governance:role_decide", args=[application.pk]), {"decision": "accept"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("governance:role_propose", args=[application.pk]),
            {"electorate": "operational", "closes_at": closes},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("governance:role_holding_end", args=[holding.pk]), {"ended_on": "2030-01-01"}
        ).status_code
        == 403
    )
    application.refresh_from_db()
    holding.refresh_from_db()
    assert application.status == RoleApplication.Status.PENDING
    assert not Proposal.objects.exists()
    assert holding.ended_on is None
    # Nor does the role's page show them the applications.
    page = client.get(reverse("governance:role_detail", args=[role.pk])).content.decode()
    assert "I patch." not in page
    assert reverse("governance:role_decide", args=[application.pk]) not in page


def test_a_coordinator_cant_decide_or_send_their_own_application_on_the_page(client, tech):
    coordinator = person(tech, "coordinator")
    role = publish(tech, coordinator.user)
    own = services.role_apply(
        role=role, member=coordinator.member, statement="Me", actor=coordinator.user
    )
    client.force_login(coordinator.user)
    closes = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("governance:role_decide", args=[own.pk]), {"decision": "accept"}, follow=True
    )
    assert "Nobody decides their own application." in response.content.decode()
    response = client.post(
        reverse("governance:role_propose", args=[own.pk]),
        {"electorate": "circle", "closes_at": closes},
        follow=True,
    )
    assert "Nobody decides their own application." in response.content.decode()
    own.refresh_from_db()
    assert own.status == RoleApplication.Status.PENDING
    assert not RoleHolder.objects.exists() and not Proposal.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"electorate": "bogus"},
        {"electorate": "", "closes_at": "2030-01-01T10:00"},
        {"electorate": "circle", "closes_at": "2000-01-01T10:00"},  # in the past
        {"electorate": "circle", "closes_at": "31/02/2030"},
    ],
)
def test_a_bad_proposal_post_opens_nothing(client, applied, data):
    coordinator, role, _applicant, application = applied
    client.force_login(coordinator.user)
    response = client.post(reverse("governance:role_propose", args=[application.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:role_detail", args=[role.pk])
    assert not Proposal.objects.exists()
    application.refresh_from_db()
    assert application.status == RoleApplication.Status.PENDING


def test_a_role_of_the_whole_coop_is_never_put_to_a_circle_by_the_page(client, tech):
    admin = UserFactory(is_staff=True, is_superuser=True)
    role = publish(None, admin)
    application = apply(role)
    client.force_login(admin)
    closes = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("governance:role_propose", args=[application.pk]),
        {"electorate": "circle", "closes_at": closes},
    )
    assert not Proposal.objects.exists()


# --- publishing and applying: bad input is a 400, never a 500 -----------------------------


def publish_data(for_circle, **changes):
    data = {
        "title": "Bookkeeper",
        "circle": for_circle.pk,
        "description": "Keep the books.",
        "hours_per_month": "10",
        "pay_per_month": "300",
        "currency": "EUR",
        "closes_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {"hours_per_month": "abc"},
        {"hours_per_month": "1e999"},
        {"hours_per_month": "0"},
        {"pay_per_month": "-1"},
        {"pay_per_month": "NaN"},
        {"currency": "XXX"},
        {"closes_on": "2030-13-45"},
        {"closes_on": "2000-01-01"},  # before today
        {"circle": "not-an-id"},
        {"title": "   "},
        {"description": "x" * 5001},
    ],
)
def test_a_bad_publish_post_is_a_400_and_publishes_nothing(client, tech, changes):
    coordinator = person(tech, "coordinator")
    client.force_login(coordinator.user)
    response = client.post(reverse("governance:role_list"), publish_data(tech, **changes))
    assert response.status_code == 400
    assert not WagedRole.objects.exists()


def test_a_coordinator_publishes_for_no_other_circle_on_the_page(client, tech):
    coordinator = person(tech, "coordinator")
    client.force_login(coordinator.user)
    other = CircleFactory()
    response = client.post(reverse("governance:role_list"), publish_data(other))
    assert response.status_code == 400
    response = client.post(reverse("governance:role_list"), publish_data(tech, circle=""))
    assert response.status_code == 400  # nor a role of the whole co-op
    assert not WagedRole.objects.exists()
    assert client.post(reverse("governance:role_list"), publish_data(tech)).status_code == 302
    assert WagedRole.objects.get().circle == tech


def test_a_member_who_coordinates_nothing_cant_publish(client, tech):
    member = person(tech)
    client.force_login(member.user)
    assert client.post(reverse("governance:role_list"), publish_data(tech)).status_code == 403
    assert not WagedRole.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"member": "another", "statement": "Me"},
        {"member": "not-an-id", "statement": "Me"},
        {"member": "mine", "statement": "   "},
        {"member": "mine", "statement": "x" * 5001},
    ],
)
def test_a_bad_application_post_is_a_400_and_applies_nothing(client, applied, data):
    _coordinator, role, _applicant, _application = applied
    me, another = person(), person()
    data = dict(
        data,
        member={"mine": me.member.pk, "another": another.member.pk}.get(
            data["member"], data["member"]
        ),
    )
    client.force_login(me.user)
    response = client.post(reverse("governance:role_detail", args=[role.pk]), data)
    assert response.status_code == 400
    assert RoleApplication.objects.count() == 1  # the fixture's


def test_visitors_see_no_role_page(client, applied):
    _coordinator, role, _applicant, application = applied
    for url in (reverse("governance:role_list"), reverse("governance:role_detail", args=[role.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(
        reverse("governance:role_decide", args=[application.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == RoleApplication.Status.PENDING


# --- constant queries ---------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_role_page_reads_in_constant_queries(client, applied):
    coordinator, role, _applicant, _application = applied
    decided = apply(role)
    services.role_application_decide(application=decided, accept=True, actor=coordinator.user)
    services.role_application_propose(
        application=apply(role),
        electorate="circle",
        closes_at=timezone.now() + datetime.timedelta(days=3),
        actor=coordinator.user,
    )
    client.force_login(coordinator.user)
    url = reverse("governance:role_detail", args=[role.pk])
    few = count_queries(client, url)
    for _ in range(4):
        services.role_application_decide(
            application=apply(role), accept=True, actor=coordinator.user
        )
        services.role_application_propose(
            application=apply(role),
            electorate="operational",
            closes_at=timezone.now() + datetime.timedelta(days=3),
            actor=coordinator.user,
        )
        apply(role)
    assert RoleHolder.objects.filter(role=role).count() == 5
    assert count_queries(client, url) == few


def test_the_roles_list_and_the_circle_page_read_in_constant_queries(client, tech):
    coordinator = person(tech, "coordinator")
    applicant = person(tech)

    def more(n):
        for _ in range(n):
            role = publish(tech, coordinator.user)
            application = services.role_apply(
                role=role, member=applicant.member, statement="Me", actor=applicant.user
            )
            services.role_application_decide(
                application=application, accept=True, actor=coordinator.user
            )
            publish(None, UserFactory(is_staff=True, is_superuser=True))

    more(1)
    client.force_login(applicant.user)
    urls = [reverse("governance:role_list"), reverse("governance:circle_detail", args=["tech"])]
    few = [count_queries(client, url) for url in urls]
    more(5)
    assert [count_queries(client, url) for url in urls] == few
    assert (
        client.get(urls[1]).content.decode().count(reverse("governance:role_list")) >= 1
    )  # the menu


# --- the public list of members: consent and activity -------------------------------------


@pytest.mark.parametrize("status", ["pending", "lapsed", "suspended", "ended"])
def test_a_listed_member_whose_operational_membership_is_not_active_is_not_shown(client, status):
    member, _user = voting_member()
    operational = Membership.objects.filter(member=member, type="operational")
    operational.update(status=status, ended_on=timezone.localdate() if status == "ended" else None)
    MembershipFactory(member=member, status="active")  # an active *user* membership
    PublicListingFactory(member=member, display_name="Half Active Co-op")
    assert "Half Active Co-op" not in client.get(reverse("members_list")).content.decode()
    assert not selectors.public_listings().exists()
    operational.update(status="active", ended_on=None)
    assert "Half Active Co-op" in client.get(reverse("members_list")).content.decode()


def test_a_member_who_opted_out_is_not_shown_even_when_active(client):
    member, user = voting_member()
    services.listing_set(member=member, listed=True, display_name="Was Listed", actor=user)
    assert "Was Listed" in client.get(reverse("members_list")).content.decode()
    services.listing_set(member=member, listed=False, actor=user)
    assert "Was Listed" not in client.get(reverse("members_list")).content.decode()
    assert PublicListing.objects.get(member=member).display_name == "Was Listed"  # kept


def test_the_public_list_shows_no_email(client):
    member, _user = voting_member(email="private@example.org")
    PublicListingFactory(member=member, display_name="Mail Co-op")
    page = client.get(reverse("members_list")).content.decode()
    assert "Mail Co-op" in page and "private@example.org" not in page


# --- the listing form: guessed ids and bad input ------------------------------------------


def test_another_members_id_on_the_listing_page_is_404_and_changes_nothing(client):
    member, _user = voting_member()
    _own, own_user = voting_member()
    client.force_login(own_user)
    url = reverse("listing_edit")
    assert client.get(url, {"member": member.pk}).status_code == 404
    assert client.get(url, {"member": "abc"}).status_code == 404
    response = client.post(url, {"member": member.pk, "listed": "on", "display_name": "X"})
    assert response.status_code == 404
    assert not PublicListing.objects.exists()  # neither theirs nor, by mistake, ours


def test_a_login_acting_for_two_members_chooses_for_the_one_it_names(client):
    first, user = voting_member()
    second, _other = voting_member()
    MemberContactFactory(member=second, user=user, is_primary=False)
    client.force_login(user)
    response = client.post(
        reverse("listing_edit"), {"member": second.pk, "listed": "on", "display_name": "Second"}
    )
    assert response.status_code == 302
    assert list(PublicListing.objects.values_list("member", "display_name")) == [
        (second.pk, "Second")
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"languages": ["xx"]},
        {"website": "not a url"},
        {"website": "https://example.org/" + "a" * 250},
        {"display_name": "x" * 201},
        {"display_name": "   "},
        {"offer": "x" * 301},
    ],
)
def test_a_bad_listing_post_is_a_400_and_lists_nothing(client, changes):
    member, user = voting_member()
    client.force_login(user)
    data = {"member": member.pk, "listed": "on", "display_name": "Pixel Co-op", **changes}
    response = client.post(reverse("listing_edit"), data)
    assert response.status_code == 400
    assert not PublicListing.objects.filter(listed=True).exists()


def test_the_listing_page_takes_only_get_and_post(client):
    _member, user = voting_member()
    client.force_login(user)
    assert client.put(reverse("listing_edit")).status_code == 405


# --- public documents: what a visitor never sees ------------------------------------------


def test_a_visitor_on_a_public_document_sees_no_pending_change_nor_its_proposal(
    client, open_proposal
):
    document = GovernanceDocumentFactory(public=True)
    voting_member()
    proposal = open_proposal(document=document, new_text="Secret draft text", title="Quiet plan")
    page = client.get(reverse("governance:document_detail", args=[document.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quiet plan" not in html and "Secret draft text" not in html
    response = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
    assert response.status_code == 302
    # A signed-in login outside the electorate doesn't read it either.
    client.force_login(UserFactory())
    assert client.get(reverse("governance:proposal_detail", args=[proposal.pk])).status_code == 404


# --- the membership page: who released the former one -----------------------------------


@pytest.mark.parametrize("how", ["create", "settings"])
def test_designating_a_membership_page_releases_the_former_one_in_the_admins_name(how):
    from meetcoop.core.audit import AuditEntry

    admin = UserFactory(is_staff=True, is_superuser=True)
    former = GovernanceDocumentFactory(public=True, membership_page=True)
    if how == "create":
        services.document_create(
            title="New page", slug="new-page", public=True, membership_page=True, actor=admin
        )
    else:
        services.document_settings_set(
            document=GovernanceDocumentFactory(), public=True, membership_page=True, actor=admin
        )
    former.refresh_from_db()
    assert not former.membership_page
    entry = AuditEntry.objects.get(
        action="governance.document.settings_changed", object_id=str(former.pk)
    )
    assert (entry.actor, entry.data) == (admin, {"membership_page": [True, False]})
