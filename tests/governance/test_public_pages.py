"""Issue 14, point 6: public documents, the membership page and the public list of members."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance import selectors, services
from governance.models import GovernanceDocument, PublicListing, Voter
from meetcoop.core.audit import AuditEntry
from meetcoop.core.errors import DomainError
from membership.models import Membership
from tests.factories import (
    GovernanceDocumentFactory,
    MemberContactFactory,
    PolicyFactory,
    PublicListingFactory,
    UserFactory,
    voting_member,
)
from tests.governance.conftest import AFTER, CLOSES, NOW

pytestmark = pytest.mark.django_db

V1 = "# How to join\n\nPledge 500 EUR or 40 hours.\n"
V2 = "# How to join\n\nPledge 500 EUR, 40 hours, or any mix of both.\n"


def adopt(open_proposal, voter, document, new_text, *, now=NOW, closes_at=CLOSES, close_at=AFTER):
    proposal = open_proposal(
        document=document, new_text=new_text, now=now, closes_at=closes_at, title=new_text[:40]
    )
    member, user = voter
    services.stance_cast(
        proposal=proposal, member=member, stance=Voter.Stance.AGREE, actor=user, now=now
    )
    return services.proposal_close(proposal=proposal, actor=None, now=close_at)


# --- public documents -------------------------------------------------------------------


def test_a_public_document_is_read_signed_out_with_its_history(client, open_proposal):
    voter = voting_member()
    document = GovernanceDocumentFactory(public=True, title="Membership policy")
    adopt(open_proposal, voter, document, V1)
    detail = client.get(reverse("governance:document_detail", args=[document.slug]))
    assert detail.status_code == 200
    assert "Pledge 500 EUR or 40 hours." in detail.content.decode()
    # No link to pages that need a login (the proposal, the governance menu).
    assert "gov-subnav" not in detail.content.decode()
    assert "/governance/proposals/" not in detail.content.decode()
    version = client.get(reverse("governance:document_version", args=[document.slug, 1]))
    assert version.status_code == 200
    assert "Pledge 500 EUR or 40 hours." in version.content.decode()


@pytest.mark.parametrize("exists", [True, False])
def test_a_private_document_answers_visitors_as_before(client, exists):
    slug = "bylaws"
    if exists:
        GovernanceDocumentFactory(slug=slug, public=False)
    for url in (
        reverse("governance:document_detail", args=[slug]),
        reverse("governance:document_version", args=[slug, 1]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_a_private_document_is_read_signed_in(client, open_proposal):
    voter = voting_member()
    document = GovernanceDocumentFactory(public=False)
    adopt(open_proposal, voter, document, V1)
    client.force_login(voter[1])
    assert (
        client.get(reverse("governance:document_detail", args=[document.slug])).status_code == 200
    )


def test_the_document_settings_are_audited_and_one_document_is_the_membership_page():
    admin = UserFactory(is_staff=True, is_superuser=True)
    first = GovernanceDocumentFactory()
    second = GovernanceDocumentFactory()
    with pytest.raises(ValidationError):  # the membership page is public
        services.document_settings_set(document=first, membership_page=True, actor=admin)
    services.document_settings_set(document=first, public=True, membership_page=True, actor=admin)
    services.document_settings_set(document=second, public=True, membership_page=True, actor=admin)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.membership_page, second.membership_page) == (False, True)
    entry = AuditEntry.objects.filter(
        action="governance.document.settings_changed", object_id=str(second.pk)
    ).get()
    assert entry.actor == admin
    assert entry.data == {"public": [False, True], "membership_page": [False, True]}
    # Nothing changed writes nothing.
    services.document_settings_set(document=second, public=True, actor=admin)
    assert (
        AuditEntry.objects.filter(
            action="governance.document.settings_changed", object_id=str(second.pk)
        ).count()
        == 1
    )


def test_the_admin_marks_a_document_public_through_the_service(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    document = GovernanceDocumentFactory()
    client.force_login(admin)
    url = reverse("admin:governance_governancedocument_change", args=[document.pk])
    page = client.get(url)
    data = {
        "title": document.title,
        "slug": document.slug,
        "public": "on",
        "decided_by": "assembly",
        "responsible_circle": "",
    }
    formset = page.context["inline_admin_formsets"][0].formset
    for key, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{key}"] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    document.refresh_from_db()
    assert document.public
    assert AuditEntry.objects.filter(
        action="governance.document.settings_changed", actor=admin, object_id=str(document.pk)
    ).exists()


# --- the membership page ----------------------------------------------------------------


def test_the_membership_page_says_plainly_when_no_document_is_designated(client):
    response = client.get(reverse("membership_page"))
    assert response.status_code == 200
    assert "has not chosen the text of this page yet" in response.content.decode()


def test_the_membership_page_says_plainly_when_its_document_has_no_text(client):
    GovernanceDocumentFactory(public=True, membership_page=True)
    response = client.get(reverse("membership_page"))
    assert response.status_code == 200
    assert "has not adopted the text of this page yet" in response.content.decode()


def test_the_membership_page_follows_the_version_the_moment_it_is_adopted(client, open_proposal):
    voter = voting_member()
    document = GovernanceDocumentFactory(public=True, membership_page=True, title="How to join")
    adopt(open_proposal, voter, document, V1)
    page = client.get(reverse("membership_page")).content.decode()
    assert "Pledge 500 EUR or 40 hours." in page
    assert "version 1" in page

    later = AFTER + (CLOSES - NOW)
    proposal = open_proposal(
        document=document, new_text=V2, now=AFTER, closes_at=later, title="Allow any mix"
    )
    services.stance_cast(
        proposal=proposal, member=voter[0], stance=Voter.Stance.AGREE, actor=voter[1], now=AFTER
    )
    # Open, not adopted: the page keeps the text in force.
    assert "Pledge 500 EUR or 40 hours." in client.get(reverse("membership_page")).content.decode()
    services.proposal_close(proposal=proposal, actor=None, now=later + (AFTER - CLOSES))
    page = client.get(reverse("membership_page")).content.decode()
    assert "any mix of both" in page
    assert "Pledge 500 EUR or 40 hours." not in page
    assert "version 2" in page
    assert "Allow any mix" in page  # the proposal that adopted it
    assert reverse("resellers:steward_list") in page  # and where to apply


def test_the_membership_page_and_the_list_are_linked_for_visitors(client):
    page = client.get(reverse("home")).content.decode()
    assert reverse("membership_page") in page
    assert reverse("members_list") in page


def test_the_membership_page_reads_in_constant_queries(
    client, open_proposal, django_assert_max_num_queries
):
    voter = voting_member()
    document = GovernanceDocumentFactory(public=True, membership_page=True)
    adopt(open_proposal, voter, document, V1)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("membership_page")).status_code == 200


# --- the public list of members ---------------------------------------------------------


def listed_member(*, status="active", membership_type="operational", **listing):
    member, user = voting_member(status=status, membership_type=membership_type)
    PublicListingFactory(member=member, **listing)
    return member, user


def test_the_list_shows_only_active_operational_members_who_opted_in(client):
    shown, _user = listed_member(display_name="Shown Co-op")
    listed_member(display_name="Lapsed Co-op", status="lapsed")
    listed_member(display_name="Opted Out Co-op", listed=False)
    listed_member(display_name="User Member", membership_type="user")
    voting_member()  # active operational, never opted in
    page = client.get(reverse("members_list")).content.decode()
    assert "Shown Co-op" in page
    assert "Catalan" in page and "https://example.org" in page
    for hidden in ("Lapsed Co-op", "Opted Out Co-op", "User Member"):
        assert hidden not in page
    assert list(selectors.public_listings().values_list("member", flat=True)) == [shown.pk]


def test_a_member_that_lapses_leaves_the_list_at_once(client):
    member, _user = listed_member(display_name="Soon Lapsed")
    assert "Soon Lapsed" in client.get(reverse("members_list")).content.decode()
    Membership.objects.filter(member=member).update(status=Membership.Status.LAPSED)
    assert "Soon Lapsed" not in client.get(reverse("members_list")).content.decode()


def test_the_list_reads_in_constant_queries(client, django_assert_max_num_queries):
    for n in range(2):
        listed_member(display_name=f"Co-op {n}")
    with django_assert_max_num_queries(3):
        client.get(reverse("members_list"))
    for n in range(2, 12):
        listed_member(display_name=f"Co-op {n}")
    with django_assert_max_num_queries(3):
        page = client.get(reverse("members_list")).content.decode()
    assert "Co-op 11" in page


def test_the_list_says_so_when_nobody_is_listed(client):
    assert "No member has chosen" in client.get(reverse("members_list")).content.decode()


# --- opting in and out ------------------------------------------------------------------


def test_a_member_opts_in_and_out_on_its_page_and_each_change_is_audited(client):
    member, user = voting_member()
    client.force_login(user)
    url = reverse("listing_edit")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "member": member.pk,
            "listed": "on",
            "display_name": "Pixel Co-op",
            "website": "https://pixel.example",
            "languages": ["fr", "en"],
            "offer": "Design for co-ops.",
        },
    )
    assert response.status_code == 302
    listing = PublicListing.objects.get(member=member)
    assert (listing.listed, listing.languages) == (True, ["en", "fr"])
    assert "Pixel Co-op" in client.get(reverse("members_list")).content.decode()
    response = client.post(url, {"member": member.pk, "display_name": "Pixel Co-op"})
    assert response.status_code == 302
    assert "Pixel Co-op" not in client.get(reverse("members_list")).content.decode()
    assert list(
        AuditEntry.objects.filter(object_id=str(listing.pk))
        .order_by("pk")
        .values_list("action", "actor")
    ) == [
        ("governance.listing.opted_in", user.pk),
        ("governance.listing.opted_out", user.pk),
    ]


def test_a_user_member_cant_be_listed():
    member, user = voting_member(membership_type="user")
    with pytest.raises(DomainError) as error:
        services.listing_set(member=member, listed=True, display_name="Me", actor=user)
    assert error.value.message_dict == {
        "listed": ["Only operational members can be listed publicly."]
    }


def test_the_listing_page_of_a_user_member_says_who_can_be_listed(client):
    _member, user = voting_member(membership_type="user")
    client.force_login(user)
    response = client.get(reverse("listing_edit"))
    assert "Only operational members can be listed publicly." in response.content.decode()


def test_only_the_members_own_logins_choose(client):
    member, _user = voting_member()
    stranger = MemberContactFactory().user
    with pytest.raises(DomainError):
        services.listing_set(member=member, listed=True, display_name="X", actor=stranger)
    # Posting another member's id on one's own page lists nothing of theirs.
    own, own_user = voting_member()
    client.force_login(own_user)
    client.post(reverse("listing_edit"), {"member": member.pk, "listed": "on", "display_name": "X"})
    assert not PublicListing.objects.filter(member=member).exists()


def test_the_listing_page_needs_a_login(client):
    response = client.get(reverse("listing_edit"))
    assert response.status_code == 302


def test_the_dashboard_links_the_listing_page(client):
    PolicyFactory()
    member, user = voting_member()
    client.force_login(user)
    assert reverse("listing_edit") in client.get(reverse("standing:dashboard")).content.decode()


def test_a_document_flag_is_a_model_rule():
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database's own constraint
        GovernanceDocument.objects.create(title="x", slug="x", membership_page=True)


def test_the_listing_goes_with_the_members_data(client):
    member, user = listed_member(display_name="Pixel Co-op")
    client.force_login(user)
    data = client.get(reverse("standing:my_data")).json()
    [mine] = data["members"]
    assert [(row["display_name"], row["listed"]) for row in mine["public_listing"]] == [
        ("Pixel Co-op", True)
    ]


def test_saving_the_same_choice_twice_changes_and_audits_nothing():
    member, user = voting_member()
    choice = {"listed": True, "display_name": "Pixel", "languages": ["en"], "offer": "Design."}
    first = services.listing_set(member=member, actor=user, **choice)
    again = services.listing_set(member=member, actor=user, **choice)
    assert again.updated_at == first.updated_at
    assert AuditEntry.objects.filter(object_id=str(first.pk)).count() == 1
