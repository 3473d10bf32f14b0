"""The admin's list of applications: it opens on what waits for a decision, offers only the
levels and countries of the admin's own applications, and keeps its columns few and short."""

import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory, ServiceLevelFactory, StewardOfferFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:resellers_application_changelist")


@pytest.fixture
def applications(setup, small, other_steward):
    """One application of each status at the admin's steward, and one elsewhere."""
    made = {
        status: ApplicationFactory(
            steward=setup, service_level=small, status=status, email=f"{status}@example.org"
        )
        for status in ["submitted", "waitlisted", "approved", "rejected"]
    }
    made["awaiting_assembly"] = ApplicationFactory(
        steward=setup, operational=True, status="awaiting_assembly", email="assembly@example.org"
    )
    made["foreign"] = ApplicationFactory(
        steward=other_steward, service_level=small, email="foreign@example.org", country="JP"
    )
    return made


def shown(response) -> set[str]:
    return {application.email for application in response.context["cl"].result_list}


def choices(response, title) -> list[str]:
    spec = next(s for s in response.context["cl"].filter_specs if str(s.title) == title)
    return [str(choice["display"]) for choice in spec.choices(response.context["cl"])]


def selected(response, title) -> str:
    spec = next(s for s in response.context["cl"].filter_specs if str(s.title) == title)
    return next(str(c["display"]) for c in spec.choices(response.context["cl"]) if c["selected"])


def test_the_list_opens_on_what_waits_for_a_decision(client, steward_admin, applications):
    client.force_login(steward_admin)
    response = client.get(CHANGELIST)
    assert shown(response) == {
        "submitted@example.org",
        "waitlisted@example.org",
        "assembly@example.org",
    }
    assert selected(response, "status") == "Waiting for a decision"


def test_all_and_each_status_are_one_click_away(client, steward_admin, applications):
    client.force_login(steward_admin)
    everything = client.get(CHANGELIST, {"status": "all"})
    assert len(shown(everything)) == 5  # not the other steward's
    assert selected(everything, "status") == "All"
    assert choices(everything, "status")[:3] == ["All", "Waiting for a decision", "pending"]
    assert shown(client.get(CHANGELIST, {"status": "approved"})) == {"approved@example.org"}
    assert shown(client.get(CHANGELIST, {"status": "waitlisted"})) == {"waitlisted@example.org"}
    # An unknown value falls back to the queue, never to an error or an empty page.
    assert len(shown(client.get(CHANGELIST, {"status": "bogus"}))) == 3


def test_the_homes_link_to_new_applications_of_one_steward_works(
    client, steward_admin, applications, setup
):
    client.force_login(steward_admin)
    response = client.get(CHANGELIST, {"status": "submitted", "steward__id__exact": setup.pk})
    assert response.status_code == 200
    assert shown(response) == {"submitted@example.org"}


def test_an_action_posted_to_the_queue_acts_on_its_rows(client, steward_admin, applications):
    client.force_login(steward_admin)
    waitlisted = applications["waitlisted"]
    client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [waitlisted.pk], "index": 0}
    )
    waitlisted.refresh_from_db()
    assert waitlisted.status == "approved"


def test_the_level_filter_offers_only_the_levels_of_the_admins_stewards(
    client, steward_admin, coop_admin, applications, other_steward
):
    large_elsewhere = ServiceLevelFactory(code="large", name="Large", position=3)
    StewardOfferFactory(steward=other_steward, service_level=large_elsewhere)
    ServiceLevelFactory(code="event", name="Event", channel="coop")  # offered by nobody
    client.force_login(steward_admin)
    assert choices(client.get(CHANGELIST), "service level") == [
        "All",
        "Small",
        "none (operational)",
    ]
    client.force_login(coop_admin)
    assert choices(client.get(CHANGELIST), "service level") == [
        "All",
        "Small",
        "Large",
        "none (operational)",
    ]


def test_the_country_filter_lists_only_countries_the_admin_has_applications_from(
    client, steward_admin, coop_admin, applications, setup, small
):
    ApplicationFactory(steward=setup, service_level=small, country="CA")
    client.force_login(steward_admin)
    assert choices(client.get(CHANGELIST), "country") == ["All", "Canada", "Spain"]
    client.force_login(coop_admin)
    assert choices(client.get(CHANGELIST), "country") == ["All", "Canada", "Japan", "Spain"]
    filtered = client.get(CHANGELIST, {"status": "all", "country__exact": "CA"})
    assert {a.country.code for a in filtered.context["cl"].result_list} == {"CA"}


def test_few_short_columns_and_the_steward_only_for_several_stewards(
    client, steward_admin, coop_admin, applications
):
    client.force_login(steward_admin)
    response = client.get(CHANGELIST)
    assert response.context["cl"].list_display == [
        "action_checkbox",
        "submitted_on",
        "applicant",
        "asks_for",
        "status",
    ]
    assert response.context["title"] == "Applications to Comuns Reunits"
    assert "steward" not in [str(s.title) for s in response.context["cl"].filter_specs]
    html = response.content.decode()
    assert "submitted@example.org" in html  # the email sits under the name
    assert '<td class="field-asks_for">operational</td>' in html
    assert "nav-sidebar" not in html  # the list takes the sidebar's width

    client.force_login(coop_admin)
    response = client.get(CHANGELIST)
    assert "steward" in response.context["cl"].list_display
    assert "steward" in [str(s.title) for s in response.context["cl"].filter_specs]


def test_select_all_acts_only_on_the_queue_it_shows(client, steward_admin, applications):
    client.force_login(steward_admin)
    client.post(
        CHANGELIST,
        {
            "action": "waitlist_selected",
            "_selected_action": [applications["submitted"].pk],
            "select_across": "1",
            "index": 0,
        },
    )
    for key in ["approved", "rejected"]:
        applications[key].refresh_from_db()
        assert applications[key].status == key
    applications["submitted"].refresh_from_db()
    assert applications["submitted"].status == "waitlisted"
    applications["foreign"].refresh_from_db()
    assert applications["foreign"].status == "submitted"
