"""The Django admin of applications: each steward's admins see and decide only their own."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from membership.models import Member
from resellers.models import Application
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    StewardAdminFactory,
    UserFactory,
)
from tests.resellers.counts import applicant_members

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:resellers_application_changelist")


@pytest.fixture
def own(setup, small, terms):
    return ApplicationFactory(
        steward=setup, service_level=small, email="own@example.org", name="Own Applicant"
    )


@pytest.fixture
def foreign(other_steward, small):
    return ApplicationFactory(
        steward=other_steward,
        service_level=small,
        email="foreign@example.org",
        name="Foreign Applicant",
    )


@pytest.fixture
def users(steward_admin, other_admin, coop_admin):
    return {
        "anonymous": None,
        "plain user": UserFactory(),
        "staff without role": UserFactory(is_staff=True),
        "steward admin": steward_admin,
        "coop admin": coop_admin,
    }


def change_url(application):
    return reverse("admin:resellers_application_change", args=[application.pk])


def history_url(application):
    return reverse("admin:resellers_application_history", args=[application.pk])


# The permission matrix: URL x role -> status ("login" = redirected to sign in).
MATRIX = [
    # role,              changelist, own change, foreign change, foreign history
    ("anonymous", "login", "login", "login", "login"),
    ("plain user", "login", "login", "login", "login"),
    ("staff without role", 403, 403, 403, 403),
    ("steward admin", 200, 200, 404, 404),
    ("coop admin", 200, 200, 200, 200),
]


@pytest.mark.parametrize(("role", "listing", "own_change", "foreign_change", "history"), MATRIX)
def test_permission_matrix(
    client, users, own, foreign, role, listing, own_change, foreign_change, history
):
    user = users[role]
    if user is not None:
        client.force_login(user)
    urls = [CHANGELIST, change_url(own), change_url(foreign), history_url(foreign)]
    for url, expected in zip(urls, [listing, own_change, foreign_change, history], strict=True):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302, url
            assert "login" in response["Location"], url
        else:
            assert response.status_code == expected, (url, response.status_code)


def test_a_nonexistent_id_is_404_too(client, steward_admin, own):
    client.force_login(steward_admin)
    missing = reverse("admin:resellers_application_change", args=[999999])
    assert client.get(missing).status_code == 404
    assert (
        client.get(reverse("admin:resellers_application_change", args=["abc"])).status_code == 404
    )


def test_list_search_and_filters_show_only_own_rows(client, steward_admin, own, foreign):
    client.force_login(steward_admin)

    html = client.get(CHANGELIST).content.decode()
    assert "own@example.org" in html
    assert "foreign@example.org" not in html
    assert "Maple Rooms" not in html  # not even as a list filter choice
    assert "Comuns Reunits" in html

    searched = client.get(CHANGELIST, {"q": "foreign"}).content.decode()
    assert "foreign@example.org" not in searched
    filtered = client.get(CHANGELIST, {"steward__id__exact": foreign.steward_id})
    assert "foreign@example.org" not in filtered.content.decode()


def test_steward_filter_offers_only_the_admins_stewards(client, steward_admin, own, foreign):
    from tests.factories import StewardFactory

    second = StewardFactory(name="Second Shop")
    second.admins.add(steward_admin)
    client.force_login(steward_admin)

    html = client.get(CHANGELIST).content.decode()

    assert "steward__id__exact" in html  # the filter is shown: two stewards to choose from
    assert "Second Shop" in html and "Comuns Reunits" in html
    assert "Maple Rooms" not in html


def test_coop_admin_sees_every_steward_in_the_filter(client, coop_admin, own, foreign):
    client.force_login(coop_admin)
    html = client.get(CHANGELIST).content.decode()
    assert "Maple Rooms" in html and "Comuns Reunits" in html


def test_membership_admin_filter_and_autocomplete_are_scoped(
    client, steward_admin, setup, other_steward, small
):
    MembershipFactory(steward=setup, service_level=small, member__name="Mine Member")
    MembershipFactory(steward=other_steward, service_level=small, member__name="Their Member")
    client.force_login(steward_admin)

    html = client.get(reverse("admin:membership_membership_changelist")).content.decode()
    assert "Mine Member" in html and "Their Member" not in html
    assert "Maple Rooms" not in html

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "membership",
            "model_name": "membership",
            "field_name": "member",
            "term": "Member",
        },
    )
    names = [item["text"] for item in response.json()["results"]]
    assert names == ["Mine Member"]


def approve(client, ids):
    return client.post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [str(i) for i in ids]},
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_approves_its_own_application(client, steward_admin, own):
    client.force_login(steward_admin)
    response = approve(client, [own.pk])
    own.refresh_from_db()
    assert own.status == Application.Status.APPROVED
    assert "1 application approved." in messages_of(response)


def test_approving_again_in_the_admin_says_it_was_already_decided(client, steward_admin, own):
    client.force_login(steward_admin)
    approve(client, [own.pk])
    response = approve(client, [own.pk])
    assert any("already decided" in m for m in messages_of(response))
    assert Member.objects.filter(email="own@example.org").count() == 1


def test_posting_another_stewards_ids_changes_nothing(client, steward_admin, foreign):
    client.force_login(steward_admin)
    for action in ["approve_selected", "waitlist_selected", "reject_selected"]:
        response = client.post(
            CHANGELIST,
            {
                "action": action,
                "_selected_action": [str(foreign.pk)],
                "apply": "1",
                "reason": "Not yours.",
            },
            follow=True,
        )
        assert response.status_code == 200
    foreign.refresh_from_db()
    assert foreign.status == Application.Status.SUBMITTED
    assert foreign.decisions.count() == 0
    assert applicant_members().count() == 0


def test_reject_asks_for_a_reason_first(client, steward_admin, own):
    client.force_login(steward_admin)
    data = {"action": "reject_selected", "_selected_action": [str(own.pk)]}

    page = client.post(CHANGELIST, data)
    assert page.status_code == 200
    assert "Reason (sent to the applicant)" in page.content.decode()

    empty = client.post(CHANGELIST, {**data, "apply": "1", "reason": ""})
    assert empty.status_code == 200
    assert "This field is required" in empty.content.decode()
    own.refresh_from_db()
    assert own.status == Application.Status.SUBMITTED

    done = client.post(CHANGELIST, {**data, "apply": "1", "reason": "Values differ."}, follow=True)
    own.refresh_from_db()
    assert own.status == Application.Status.REJECTED
    assert own.decisions.get().reason == "Values differ."
    assert "1 application rejected." in messages_of(done)


def test_waitlist_action(client, steward_admin, own):
    client.force_login(steward_admin)
    client.post(CHANGELIST, {"action": "waitlist_selected", "_selected_action": [str(own.pk)]})
    own.refresh_from_db()
    assert own.status == Application.Status.WAITLISTED
    assert own.decisions.get().decided_by == steward_admin


def test_export_contains_only_own_rows(client, steward_admin, own, foreign):
    client.force_login(steward_admin)
    response = client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [str(own.pk), str(foreign.pk)]},
    )
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "own@example.org" in body and "foreign@example.org" not in body


def test_steward_admin_cannot_add_or_delete_applications(client, steward_admin, own):
    client.force_login(steward_admin)
    assert client.get(reverse("admin:resellers_application_add")).status_code == 403
    assert (
        client.get(reverse("admin:resellers_application_delete", args=[own.pk])).status_code == 403
    )


def test_detail_page_shows_the_decisions(client, steward_admin, own):
    client.force_login(steward_admin)
    client.post(CHANGELIST, {"action": "waitlist_selected", "_selected_action": [str(own.pk)]})
    html = client.get(change_url(own)).content.decode()
    assert "on the waiting list" in html
    assert steward_admin.email in html


def test_changelist_query_count(client, steward_admin, setup, small, django_assert_max_num_queries):
    ApplicationFactory.create_batch(20, steward=setup, service_level=small)
    client.force_login(steward_admin)
    with django_assert_max_num_queries(16):
        response = client.get(CHANGELIST)
    assert response.status_code == 200


def test_a_second_admin_of_the_same_steward_sees_the_same_rows(client, setup, own):
    second = StewardAdminFactory(stewards=[setup])
    client.force_login(second)
    assert "own@example.org" in client.get(CHANGELIST).content.decode()


def test_detail_page_offers_decision_buttons_only_while_undecided(client, steward_admin, own):
    client.force_login(steward_admin)
    html = client.get(change_url(own)).content.decode()
    assert 'value="approve_selected"' in html and 'value="reject_selected"' in html
    assert 'name="_save"' not in html

    response = client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [str(own.pk)]}
    )
    assert response.status_code == 302
    html = client.get(change_url(own)).content.decode()
    assert 'value="approve_selected"' not in html


def test_export_makes_a_formula_typed_in_the_form_inert(client, steward_admin, own):
    own.name = '=HYPERLINK("http://evil.example","click")'
    own.save(update_fields=["name"])
    client.force_login(steward_admin)
    response = client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [str(own.pk)]})
    body = response.content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body
