"""A steward's admin sees its own steward's rows in the admin and nothing of another's."""

import pytest
from django.contrib.auth.models import Group

from meetcoop.core.roles import STEWARD_ADMINS, ensure_role_groups
from tests.factories import MembershipFactory, StewardFactory, StewardOfferFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ensure_role_groups()  # what post_migrate does: the role groups and their permissions
    mine, theirs = StewardFactory(name="Mine"), StewardFactory(name="Theirs")
    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=STEWARD_ADMINS))
    mine.admins.add(admin)
    return {
        "admin": admin,
        "mine": mine,
        "theirs": theirs,
        "my_membership": MembershipFactory(steward=mine),
        "their_membership": MembershipFactory(steward=theirs),
        "my_offer": StewardOfferFactory(steward=mine),
        "their_offer": StewardOfferFactory(steward=theirs),
    }


def test_lists_show_only_the_own_stewards_rows(client, world):
    client.force_login(world["admin"])
    memberships = client.get("/admin/membership/membership/")
    assert memberships.status_code == 200
    assert list(memberships.context["cl"].result_list) == [world["my_membership"]]
    stewards = client.get("/admin/resellers/steward/")
    assert list(stewards.context["cl"].result_list) == [world["mine"]]
    offers = client.get("/admin/resellers/stewardoffer/")
    assert list(offers.context["cl"].result_list) == [world["my_offer"]]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/membership/membership/{their_membership}/change/",
        "/admin/membership/member/{their_member}/change/",
        "/admin/resellers/steward/{theirs}/change/",
        "/admin/resellers/stewardoffer/{their_offer}/change/",
    ],
)
def test_another_stewards_rows_are_not_found_by_id(client, world, url):
    client.force_login(world["admin"])
    ids = {key: obj.pk for key, obj in world.items() if hasattr(obj, "pk")}
    ids["their_member"] = world["their_membership"].member_id
    # 404, like an id that does not exist: nothing tells that the row is there.
    assert client.get(url.format(**ids)).status_code == 404


def test_the_own_steward_can_be_seen_but_not_re_assigned(client, world):
    client.force_login(world["admin"])
    page = client.get(f"/admin/resellers/steward/{world['mine'].pk}/change/")
    assert page.status_code == 200
    assert b'name="slug"' not in page.content  # slug, kind, member and admins are read-only
    assert b'name="admins"' not in page.content


def test_offer_form_offers_only_the_own_steward(client, world):
    client.force_login(world["admin"])
    page = client.get("/admin/resellers/stewardoffer/add/")
    choices = list(page.context["adminform"].form.fields["steward"].queryset)
    assert choices == [world["mine"]]


def test_a_members_page_shows_only_the_own_stewards_memberships(client, world):
    """The member holds a user membership with my steward and an operational one with the
    co-op: its page shows me mine, and nothing of the other."""
    from tests.factories import CoopStewardFactory, OperationalMembershipFactory

    member = world["my_membership"].member
    OperationalMembershipFactory(member=member, steward=CoopStewardFactory(name="The Co-op"))
    client.force_login(world["admin"])
    page = client.get(f"/admin/membership/member/{member.pk}/change/")
    assert page.status_code == 200
    [formset] = [
        f for f in page.context["inline_admin_formsets"] if f.opts.model.__name__ == "Membership"
    ]
    assert [form.original for form in formset] == [world["my_membership"]]
    assert "The Co-op" not in page.content.decode()
