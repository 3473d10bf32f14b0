"""Concerns, reviewer R6: who is party to a concern never judges it nor learns the raiser in
the admin; forged and odd requests answer 404 or a message, never a 500 or another steward's
row."""

import pytest
from django.urls import reverse

from meetcoop.core.errors import DomainError
from resellers.models import Concern
from resellers.services import concern_decide, concern_raise
from tests.factories import MemberContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:resellers_concern_changelist")


@pytest.fixture
def reporter(steward):
    contact = MemberContactFactory(member__name="Rita Reporter", member__email="rita@example.org")
    MembershipFactory(member=contact.member, steward=steward)
    return contact.user


@pytest.fixture
def admin_concerned(steward, steward_admin):
    """The steward's own admin is also the contact of a member the steward serves."""
    contact = MemberContactFactory(
        user=steward_admin, member__email="staff@comuns.example", member__name="Sam Staff"
    )
    MembershipFactory(member=contact.member, steward=steward)
    return contact


@pytest.fixture
def about_the_admin(reporter, admin_concerned):
    return concern_raise(
        user=reporter,
        kind="use",
        member_email="staff@comuns.example",
        description="Hosted a 300-person webinar.",
    )


def test_a_steward_admin_concerned_neither_sees_it_in_the_admin_nor_decides_it(
    client, about_the_admin, steward_admin, steward
):
    assert about_the_admin.followed_by == steward
    client.force_login(steward_admin)
    change = reverse("admin:resellers_concern_change", args=[about_the_admin.pk])
    assert client.get(change).status_code == 404
    assert list(client.get(CHANGELIST).context["cl"].result_list) == []
    with pytest.raises(DomainError, match="You don't follow this concern."):
        concern_decide(concern=about_the_admin, actor=steward_admin, outcome="no_action", text="x")
    # Through the action, with the id forged in: nothing decided.
    client.post(
        CHANGELIST,
        {
            "action": "decide_selected",
            "_selected_action": [about_the_admin.pk],
            "apply": "1",
            "outcome": "no_action",
            "text": "Fine by me.",
        },
    )
    about_the_admin.refresh_from_db()
    assert about_the_admin.status == Concern.Status.OPEN
    # It still reads the concern as the person concerned, without the raiser.
    page = client.get(reverse("concerns:detail", args=[about_the_admin.pk])).content.decode()
    assert "300-person webinar" in page and "Rita" not in page and "rita@" not in page


def test_a_co_op_admin_concerned_does_not_decide_its_own_concern(reporter, steward, coop_admin):
    contact = MemberContactFactory(user=coop_admin, member__email="boss@example.org")
    MembershipFactory(member=contact.member, steward=steward)
    concern = concern_raise(
        user=reporter, kind="use", member_email="boss@example.org", description="x"
    )
    with pytest.raises(DomainError, match="You don't follow this concern."):
        concern_decide(concern=concern, actor=coop_admin, outcome="no_action", text="x")


def test_another_stewards_admin_forging_the_action_decides_nothing(
    client, reporter, steward, other_admin
):
    contact = MemberContactFactory(member__email="carles@example.org")
    MembershipFactory(member=contact.member, steward=steward)
    concern = concern_raise(
        user=reporter, kind="use", member_email="carles@example.org", description="x"
    )
    client.force_login(other_admin)
    response = client.post(
        CHANGELIST,
        {
            "action": "decide_selected",
            "_selected_action": [concern.pk],
            "apply": "1",
            "outcome": "suspension",
            "text": "Forged.",
        },
    )
    assert response.status_code in (200, 302)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN
    assert not concern.entries.filter(kind="outcome").exists()


def test_a_resellers_admin_does_not_decide_a_concern_about_its_service(
    client, reporter, steward, steward_admin
):
    concern = concern_raise(user=reporter, kind="service", steward=steward, description="Slow.")
    with pytest.raises(DomainError, match="You don't follow this concern."):
        concern_decide(concern=concern, actor=steward_admin, outcome="no_action", text="x")
    client.force_login(steward_admin)
    client.post(
        CHANGELIST,
        {
            "action": "decide_selected",
            "_selected_action": [concern.pk],
            "apply": "1",
            "outcome": "no_action",
            "text": "All good.",
        },
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


@pytest.mark.parametrize("pk", ["99999999999999999999", "2147483648"])
def test_a_huge_id_is_a_404(client, reporter, pk):
    client.force_login(reporter)
    assert client.get(f"/concerns/{pk}/").status_code == 404
    assert client.post(f"/concerns/{pk}/", {"text": "x"}).status_code == 404


def test_the_admin_search_and_filters_keep_another_stewards_concerns_out(
    client, reporter, steward, other_admin
):
    contact = MemberContactFactory(member__email="carles@example.org", member__name="Carles")
    MembershipFactory(member=contact.member, steward=steward)
    concern_raise(user=reporter, kind="use", member_email="carles@example.org", description="x")
    client.force_login(other_admin)
    for query in ["?q=Carles", "?q=carles@example.org", "?status__exact=open", "?kind__exact=use"]:
        response = client.get(CHANGELIST + query)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []


def test_a_post_to_the_decide_page_with_bad_values_is_a_message(
    client, reporter, coop_admin, steward
):
    contact = MemberContactFactory(member__email="carles@example.org")
    MembershipFactory(member=contact.member, steward=steward)
    concern = concern_raise(
        user=reporter, kind="use", member_email="carles@example.org", description="x"
    )
    client.force_login(coop_admin)
    base = {"action": "decide_selected", "_selected_action": [concern.pk], "apply": "1"}
    for data in [
        {"outcome": "warning", "text": ""},
        {"outcome": "warning", "text": "x" * 5001},
        {"outcome": "dismissed", "text": "x"},
        {"text": "x"},
    ]:
        response = client.post(CHANGELIST, {**base, **data})
        assert response.status_code == 200
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN


@pytest.mark.parametrize("selected", ["abc", "1.5", "99999999999999999999", ""])
def test_a_forged_selection_in_the_decide_action_is_not_an_error(client, coop_admin, selected):
    client.force_login(coop_admin)
    data = {
        "action": "decide_selected",
        "_selected_action": [selected],
        "apply": "1",
        "outcome": "warning",
        "text": "x",
    }
    response = client.post(CHANGELIST, data)
    assert response.status_code in (200, 302, 400)  # a message or a bad request, never a 500
    assert not Concern.objects.filter(status="decided").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": ["use", "service"], "description": "x"},
        {"kind": "use", "member_email": "a@example.org", "description": "a\x00b"},
        {"kind": "service", "steward": ["1", "2"], "description": "x"},
        {"kind": "use", "member_email": "a" * 300 + "@example.org", "description": "x"},
    ],
)
def test_odd_posts_to_the_concern_form_are_messages(client, reporter, data):
    client.force_login(reporter)
    response = client.post(reverse("concerns:new"), data)
    assert response.status_code in (200, 400)  # a message or a bad request, never a 500
    assert not Concern.objects.exists()


def test_an_answer_with_a_nul_character_is_a_message(client, reporter, steward):
    contact = MemberContactFactory(member__email="carles@example.org")
    MembershipFactory(member=contact.member, steward=steward)
    concern = concern_raise(
        user=reporter, kind="use", member_email="carles@example.org", description="x"
    )
    client.force_login(contact.user)
    response = client.post(reverse("concerns:detail", args=[concern.pk]), {"text": "a\x00b"})
    assert response.status_code in (200, 400)  # a message or a bad request, never a 500
    assert not concern.entries.filter(kind="answer").exists()


def test_the_decide_page_reads_a_fixed_number_of_queries(
    client, reporter, steward, coop_admin, django_assert_max_num_queries
):
    concerns = []
    for i in range(6):
        contact = MemberContactFactory(member__email=f"m{i}@example.org")
        MembershipFactory(member=contact.member, steward=steward)
        concerns.append(
            concern_raise(
                user=reporter, kind="use", member_email=f"m{i}@example.org", description="x"
            )
        )
    client.force_login(coop_admin)
    data = {"action": "decide_selected", "_selected_action": [c.pk for c in concerns]}
    with django_assert_max_num_queries(8):
        response = client.post(CHANGELIST, data)
    assert response.status_code == 200 and "Decide concerns" in response.content.decode()
