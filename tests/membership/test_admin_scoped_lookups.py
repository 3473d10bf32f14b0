"""A steward's admin filtering, searching or looking up members through their memberships
matches only through the memberships of its own stewards.

The member here holds a user membership at my steward (active) and an operational one at
another steward (suspended). I see the member (because of mine), but no filter, search, raw
lookup or facet count may tell me about the other one.
"""

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count, Q

from meetcoop.core.roles import STEWARD_ADMINS, ensure_role_groups
from meetcoop.core.scoping import scope_related_lookups
from membership.models import Member, Membership
from tests.factories import (
    MemberFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    ServiceLevelFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MEMBERS = "/admin/membership/member/"


@pytest.fixture
def world():
    ensure_role_groups()
    mine, theirs = StewardFactory(name="Mine"), StewardFactory(name="Theirs")
    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=STEWARD_ADMINS))
    mine.admins.add(admin)
    level = ServiceLevelFactory(code="small")
    both = MemberFactory(name="Both Stewards")
    MembershipFactory(member=both, steward=mine, service_level=level, status="active")
    elsewhere = OperationalMembershipFactory(member=both, steward=theirs, status="suspended")
    suspended_here = MemberFactory(name="Suspended Here")
    MembershipFactory(member=suspended_here, steward=mine, status="suspended")
    only_theirs = MemberFactory(name="Only Theirs")
    their_user = MembershipFactory(
        member=only_theirs, steward=theirs, service_level=level, status="suspended"
    )
    return {
        "admin": admin,
        "mine": mine,
        "theirs": theirs,
        "level": level,
        "both": both,
        "elsewhere": elsewhere,
        "suspended_here": suspended_here,
        "only_theirs": only_theirs,
        "their_user": their_user,
    }


def listed(client, query) -> set[str] | int:
    """The names the member list shows for ``query``, or the status code when not 200."""
    response = client.get(MEMBERS + query)
    if response.status_code != 200:
        return response.status_code
    return {member.name for member in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Both Stewards", "Suspended Here"}),
        ("?memberships__status__exact=active", {"Both Stewards"}),
        ("?memberships__type__exact=user", {"Both Stewards", "Suspended Here"}),
        # The member's only suspended, operational membership is at the other steward.
        ("?memberships__status__exact=suspended", {"Suspended Here"}),
        ("?memberships__type__exact=operational", set()),
        ("?memberships__type__exact=operational&memberships__status__exact=suspended", set()),
        ("?memberships__status__in=suspended", {"Suspended Here"}),
        ("?memberships__status__isnull=False&memberships__type__exact=operational", set()),
        ("?memberships__isnull=True", set()),
    ],
)
def test_filters_through_memberships_match_only_the_admins_memberships(
    client, world, query, expected
):
    client.force_login(world["admin"])
    assert listed(client, query) == expected


def test_raw_lookups_by_another_stewards_ids_find_nothing(client, world):
    client.force_login(world["admin"])
    elsewhere, theirs = world["elsewhere"], world["theirs"]
    assert listed(client, f"?memberships__id__exact={elsewhere.pk}") == set()
    assert listed(client, f"?memberships={elsewhere.pk}") == set()
    assert listed(client, f"?memberships__pk__in={elsewhere.pk}") == set()
    # Django itself refuses a lookup through two relations that is not a list filter (400);
    # were it allowed, the scoping would still find nothing.
    for query in (
        f"?memberships__steward__id__exact={theirs.pk}",
        f"?memberships__steward={theirs.pk}",
    ):
        assert listed(client, query) in (400, set())


def test_preserved_filters_in_the_url_do_not_reach_other_stewards(client, world):
    client.force_login(world["admin"])
    response = client.get(MEMBERS + "?_changelist_filters=memberships__status__exact%3Dsuspended")
    # Not a lookup Django knows: the list says so (?e=1) and shows nothing it should not.
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "Both Stewards" not in {m.name for m in response.context["cl"].result_list}
    page = client.get(
        f"{MEMBERS}{world['both'].pk}/change/"
        "?_changelist_filters=memberships__status__exact%3Dsuspended"
    )
    assert page.status_code == 200
    assert "Theirs" not in page.content.decode()


def test_facet_counts_count_only_the_admins_memberships(client, world):
    client.force_login(world["admin"])
    response = client.get(MEMBERS + "?_facets=True")
    cl = response.context["cl"]
    counts = {}
    for spec in cl.filter_specs:
        if getattr(spec, "field_path", "") in ("memberships__status", "memberships__type"):
            for choice in spec.choices(cl):
                counts[(spec.field_path, choice["display"].rsplit(" (", 1)[0])] = choice["display"]
    assert counts[("memberships__status", "suspended")] == "suspended (1)"
    assert counts[("memberships__status", "active")] == "active (1)"
    assert counts[("memberships__type", "operational")] == "operational (0)"
    assert counts[("memberships__type", "user")] == "user (2)"


def test_a_search_through_memberships_searches_only_the_admins_memberships(
    client, world, monkeypatch
):
    from django.contrib import admin

    member_admin = admin.site._registry[Member]
    monkeypatch.setattr(member_admin, "search_fields", ["name", "memberships__status"])
    client.force_login(world["admin"])
    assert listed(client, "?q=suspended") == {"Suspended Here"}
    assert listed(client, "?q=active") == {"Both Stewards"}


def test_autocomplete_offers_only_the_admins_members(client, world):
    client.force_login(world["admin"])
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "membership",
            "model_name": "membership",
            "field_name": "member",
            "term": "e",
        },
    )
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert names == {"Both Stewards", "Suspended Here"}


def test_service_levels_looked_up_through_another_stewards_rows_are_not_found(client, world):
    client.force_login(world["admin"])
    url = "/admin/membership/servicelevel/"
    their = world["their_user"]
    response = client.get(f"{url}?memberships__id__exact={their.pk}")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    response = client.get(f"{url}?memberships__status__exact=suspended")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert list(response.context["cl"].result_list) == []


def test_a_coop_admin_filters_through_every_membership(client, world, coop_admin):
    client.force_login(coop_admin)
    assert listed(client, "?memberships__type__exact=operational") == {"Both Stewards"}
    assert listed(client, "?memberships__status__exact=suspended") == {
        "Both Stewards",
        "Suspended Here",
        "Only Theirs",
    }
    response = client.get(
        f"/admin/membership/servicelevel/?memberships__id__exact={world['their_user'].pk}"
    )
    assert list(response.context["cl"].result_list) == [world["level"]]


def test_the_scoped_queryset_rewrites_filters_excludes_and_aggregates(world):
    """The queryset under the admin, on its own: every way of filtering goes through the
    visible memberships only."""
    visible = Membership.objects.filter(steward=world["mine"])

    def rows(model):
        return visible if model is Membership else None

    members = scope_related_lookups(Member.objects.all(), rows)
    both, here = world["both"], world["suspended_here"]
    assert set(members.filter(memberships__status="suspended")) == {here}
    assert set(members.filter(Q(memberships__type="operational") | Q(name="x"))) == set()
    assert both in set(members.exclude(memberships__status="suspended"))
    # One filter() call, one membership: active and user are the same membership here.
    assert set(members.filter(memberships__status="active", memberships__type="user")) == {both}
    # The scoping survives chaining.
    assert set(members.all().order_by("name").filter(memberships__type="operational")) == set()
    counts = members.aggregate(
        suspended=Count("pk", filter=Q(memberships__status="suspended")),
        operational=Count("pk", filter=Q(memberships__type="operational")),
    )
    assert counts == {"suspended": 1, "operational": 0}
    # Without the scoping Django would match through every membership.
    assert both in set(Member.objects.filter(memberships__type="operational"))


# --- Lookups into rows the admin may not read ----------------------------------------------


def test_the_member_list_is_not_filtered_by_rows_the_admin_may_not_read(client, world, coop_admin):
    """A steward's admin may not open erasure requests or the ledger: the member list may
    not tell which of its members have any (400, as Django answers a lookup it refuses)."""
    from membership.services import erasure_request
    from tests.factories import LabourEntryFactory

    gone = MembershipFactory(steward=world["mine"], status="ended", member__name="Gone").member
    erasure_request(member=gone, actor=coop_admin)
    entry = LabourEntryFactory(member=world["both"])
    client.force_login(world["admin"])
    assert client.get("/admin/membership/erasurerequest/").status_code == 403
    assert client.get("/admin/contributions/ledgerentry/").status_code == 403
    for query in (
        "?erasure_requests__isnull=False",
        "?erasure_requests__isnull=True",
        "?ledger_entries__isnull=False",
        f"?ledger_entries__id__gte={entry.pk}",
        f"?ledger_entries__id__exact={entry.pk}",
        f"?ledger_entries={entry.pk}",
        "?compensations__isnull=False",
        "?circle_roles__isnull=False",
    ):
        assert listed(client, query) == 400, query
    # Through the memberships, which it may view, the lookups keep working.
    assert listed(client, "?memberships__status__exact=active") == {"Both Stewards"}
    assert listed(client, "?memberships__isnull=False") == {
        "Both Stewards",
        "Suspended Here",
        "Gone",
    }


def test_a_coop_admin_still_filters_members_by_their_ledger(client, world, coop_admin):
    from tests.factories import LabourEntryFactory

    LabourEntryFactory(member=world["both"])
    client.force_login(coop_admin)
    assert listed(client, "?ledger_entries__isnull=False") == {"Both Stewards"}


def _steward_admin_request(world):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = world["admin"]
    return request


def _scoped_admins():
    from django.contrib import admin

    from meetcoop.core.admin import StewardScopedLookupsMixin

    return [
        pytest.param(model_admin, id=model._meta.label)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, StewardScopedLookupsMixin)
    ]


@pytest.mark.parametrize("model_admin", _scoped_admins())
def test_every_scoped_admin_refuses_lookups_into_models_the_user_may_not_view(world, model_admin):
    """Whatever relation is added later: a lookup in the URL through a relation is allowed
    exactly when the user may view the related model's admin."""
    request = _steward_admin_request(world)
    registry = model_admin.admin_site._registry
    filtered = {
        (item if isinstance(item, str) else item[0]).split("__")[0]
        for item in model_admin.get_list_filter(request)
        if isinstance(item, str | tuple | list)
    }
    for field in model_admin.model._meta.get_fields():
        if not (field.one_to_many or field.many_to_many or field.one_to_one) or (
            field.concrete and not field.many_to_many
        ):
            continue  # only reverse relations and many-to-many ones read other rows
        if field.name in filtered:
            continue  # a list filter of the admin: declared by the code, checked by the guard
        related = registry.get(field.related_model)
        may_view = related is not None and related.has_view_permission(request)
        lookup = f"{field.name}__isnull"
        assert model_admin.lookup_allowed(lookup, "False", request) is may_view, lookup


def test_a_foreign_key_read_as_its_key_stays_allowed(world):
    """``?recorded_by__id__exact=`` reads only the payment's own column: allowed, though a
    steward's admin may not open the logins."""
    from django.contrib import admin

    from contributions.models import DuesPayment

    request = _steward_admin_request(world)
    payments = admin.site._registry[DuesPayment]
    assert payments.lookup_allowed("recorded_by__id__exact", "1", request)
    assert payments.lookup_allowed("recorded_by", "1", request)
    assert payments.lookup_allowed("recorded_by__isnull", "True", request)
    assert not payments.lookup_allowed("recorded_by__email", "a@b.c", request)
