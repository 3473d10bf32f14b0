"""The public steward list and application form: every refusal is a form error, never a 500."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time

from resellers.models import Application, ApplicationDecision
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    PolicyFactory,
    StewardFactory,
    StewardOfferFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def form_data(terms, **overrides):
    data = {
        "kind": "person",
        "name": "Núria Puig",
        "organisation_name": "",
        "email": "nuria@example.org",
        "country": "ES",
        "language": "ca",
        "type": "user",
        "service_level": "",
        "pledge_money": "",
        "pledge_hours": "",
        "pledge_resources_value": "",
        "pledge_resources_description": "",
        "statement": "",
        "accept_terms_of_use": "on",
        "accept_fair_use": "on",
        "terms_of_use_version": str(terms["terms_of_use"].pk),
        "fair_use_version": str(terms["fair_use"].pk),
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def apply_url(steward):
    return reverse("resellers:apply", args=[steward.slug])


def post(client, steward, terms, **overrides):
    return client.post(apply_url(steward), form_data(terms, **overrides))


# --- the steward list ----------------------------------------------------------------------------


def test_steward_list_shows_levels_with_free_places(client, setup, small, other_steward):
    MembershipFactory(steward=setup, service_level=small, status="active")
    full = StewardFactory(slug="full", name="Full House")
    StewardOfferFactory(steward=full, service_level=small, capacity=1)
    MembershipFactory(steward=full, service_level=small, status="active")
    StewardFactory(slug="closed", name="Closed Shop", accepting_applications=False)

    response = client.get(reverse("resellers:steward_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Comuns Reunits" in html and "Maple Rooms" in html
    assert "1 place left" in html  # 2 places, one active membership
    assert "5 places left" in html
    assert "full: waiting list" in html
    # Closed by hand: listed, and said so (issue 14), not hidden.
    assert "Closed Shop" in html and "Not taking new applications at the moment" in html
    assert "Català" in html or "Catalan" in html


def test_capacity_counts_active_and_approved_memberships_only(client, setup, small):
    MembershipFactory(steward=setup, service_level=small, status="pending")
    MembershipFactory(steward=setup, service_level=small, status="lapsed")
    MembershipFactory(steward=setup, service_level=small, status="ended")

    html = client.get(reverse("resellers:steward_list")).content.decode()

    assert "1 place left" in html


def test_steward_list_query_count_does_not_grow_with_stewards(
    client, setup, small, django_assert_max_num_queries
):
    for _i in range(8):
        steward = StewardFactory(operational=True)
        StewardOfferFactory(steward=steward, service_level=small)
        MembershipFactory(steward=steward, service_level=small)
    # Stewards and offers (2), and whether each takes applications (issue 14): the policy,
    # the operational memberships, first quarters owed and reports (4).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("resellers:steward_list"))
    assert response.status_code == 200


def test_apply_form_query_count(client, setup, django_assert_max_num_queries):
    # + 2 since issue 14: the policy's report grace and the operational membership of the
    # steward's member, read to know the form is open.
    with django_assert_max_num_queries(8):
        response = client.get(apply_url(setup))
    assert response.status_code == 200


def test_form_of_a_steward_not_taking_applications_says_so_and_an_unknown_one_is_404(client, setup):
    closed = StewardFactory(slug="closed", accepting_applications=False)
    response = client.get(apply_url(closed))
    assert response.status_code == 200
    assert "not taking new applications at the moment" in response.content.decode()
    assert client.get("/apply/nobody/").status_code == 404


def test_form_shows_terms_versions_and_commitment(client, setup):
    html = client.get(apply_url(setup)).content.decode()
    assert "Terms of Use 1.0" in html and "Fair Use Agreement 1.0" in html
    assert 'data-commitment-money="500.00"' in html
    assert 'data-commitment-hours="40.00"' in html
    assert "12.50" in html  # the hour value, from the policy
    assert "Leave this field empty" in html


# --- a good application ---------------------------------------------------------------------------


def test_user_application_is_saved_pending_with_terms(client, setup, small, terms):
    response = post(client, setup, terms, service_level=str(small.pk))

    assert response.status_code == 302
    # The thank-you page keeps the language the form was filled in.
    assert response["Location"] == reverse("resellers:thanks", args=[setup.slug]) + "?lang=en"
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.email == "nuria@example.org"
    assert application.service_level == small
    assert application.language == "ca"
    assert set(application.accepted_terms.all()) == set(terms.values())
    assert application.decisions.get().status_to == "submitted"

    thanks = client.get(response["Location"]).content.decode()
    assert "What happens next" in thanks
    assert "waiting list" not in thanks


def test_thanks_page_without_an_application_goes_back_to_the_form(client, setup):
    response = client.get(reverse("resellers:thanks", args=[setup.slug]))
    assert response.status_code == 302
    assert response["Location"] == apply_url(setup)


def test_organisation_application_keeps_its_name(client, setup, small, terms):
    post(
        client,
        setup,
        terms,
        kind="organisation",
        organisation_name="Tenants Union",
        service_level=str(small.pk),
    )
    application = Application.objects.get()
    assert application.organisation_name == "Tenants Union"
    assert application.display_name.startswith("Tenants Union")


def test_operational_pledge_of_exactly_100_percent_is_accepted(client, setup, terms):
    # The thread's example: 30 hours + 125 EUR = 100 % (500 EUR / 40 hours).
    response = post(
        client,
        setup,
        terms,
        type="operational",
        pledge_hours="30",
        pledge_money="125.00",
        statement="We host servers in Barcelona.",
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.type == "operational"
    assert application.service_level is None
    assert application.pledge_hours == Decimal("30")
    assert application.pledge_money == Decimal("125.00")
    assert application.pledge_currency == "EUR"


@freeze_time("2026-06-01")
def test_operational_pledge_uses_the_policy_in_force_today(client, setup, terms):
    PolicyFactory(effective_from=datetime.date(2026, 6, 1), commitment_money=Decimal("1000.00"))
    response = post(
        client,
        setup,
        terms,
        type="operational",
        pledge_money="500.00",
        statement="We host servers.",
    )
    assert response.status_code == 200
    assert "covers 50.00 %" in response.content.decode()


# --- refusals -------------------------------------------------------------------------------------


def assert_refused(response, field_text):
    assert response.status_code == 200
    html = response.content.decode()
    assert field_text in html, html
    assert Application.objects.count() == 0
    return html


def test_pledge_just_under_100_percent_is_refused(client, setup, terms):
    response = post(
        client,
        setup,
        terms,
        type="operational",
        pledge_hours="30",
        pledge_money="124.99",
        statement="We host servers.",
    )
    html = assert_refused(response, "covers 99.99 %")
    assert 'value="124.99"' in html  # nothing typed is lost
    assert "or 40 hours, in any mix" in html and "4E+1" not in html  # as a person writes it


def test_operational_without_statement_is_refused(client, setup, terms):
    response = post(client, setup, terms, type="operational", pledge_money="500")
    assert_refused(response, "why you want to join")


def test_resources_without_description_are_refused(client, setup, terms):
    response = post(
        client,
        setup,
        terms,
        type="operational",
        pledge_resources_value="500",
        statement="We give a server.",
    )
    assert_refused(response, "Say which resources you pledge")


def test_negative_pledge_is_refused(client, setup, terms):
    response = post(client, setup, terms, type="operational", pledge_money="-500", statement="x")
    assert_refused(response, "greater than or equal to 0")


def test_level_the_steward_does_not_offer_is_refused(client, setup, large, terms):
    response = post(client, setup, terms, service_level=str(large.pk))
    assert_refused(response, "Comuns Reunits does not offer this level")


def test_user_application_without_level_is_refused(client, setup, terms):
    response = post(client, setup, terms, service_level="")
    assert_refused(response, "Choose a service level")


def test_second_open_application_for_the_same_email_is_not_taken(
    client, setup, small, terms, mailoutbox, django_capture_on_commit_callbacks
):
    """One open application per email per steward: the second is not taken, the address is
    told so by email, and the page answers as for any application (see
    tests/resellers/test_no_enumeration.py)."""
    ApplicationFactory(steward=setup, service_level=small, email="nuria@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, setup, terms, email="NURIA@example.org", service_level=str(small.pk)
        )
    assert response.status_code == 302
    assert Application.objects.count() == 1
    [notice] = [m for m in mailoutbox if m.to == ["nuria@example.org"]]
    assert "You already have an open application there" in notice.body


def test_a_closed_application_does_not_block_a_new_one(client, setup, small, terms):
    ApplicationFactory(
        steward=setup, service_level=small, email="nuria@example.org", status="rejected"
    )
    response = post(client, setup, terms, service_level=str(small.pk))
    assert response.status_code == 302
    assert Application.objects.count() == 2


def test_same_email_may_apply_to_another_steward(client, setup, small, other_steward, terms):
    ApplicationFactory(steward=setup, service_level=small, email="nuria@example.org")
    # Maple Rooms serves in English only: its form offers no other language.
    response = post(client, other_steward, terms, service_level=str(small.pk), language="en")
    assert response.status_code == 302


@pytest.mark.parametrize("missing", ["accept_terms_of_use", "accept_fair_use"])
def test_missing_consent_is_refused(client, setup, small, terms, missing):
    response = post(client, setup, terms, service_level=str(small.pk), **{missing: None})
    assert_refused(response, "Please accept the")


def test_terms_changed_while_filling_the_form_is_refused(client, setup, small, terms):
    from tests.factories import TermsVersionFactory

    old_id = terms["terms_of_use"].pk
    TermsVersionFactory(
        document="terms_of_use",
        version="2.0",
        published_at=terms["terms_of_use"].published_at.replace(
            year=terms["terms_of_use"].published_at.year + 1
        ),
    )
    response = post(
        client, setup, terms, service_level=str(small.pk), terms_of_use_version=str(old_id)
    )
    assert_refused(response, "A new version of the Terms of Use was published")


def test_invalid_email_is_refused(client, setup, small, terms):
    response = post(client, setup, terms, email="not-an-email", service_level=str(small.pk))
    html = assert_refused(response, "Enter a valid email address")
    assert 'value="Núria Puig"' in html


def test_over_long_name_is_refused(client, setup, small, terms):
    response = post(client, setup, terms, name="x" * 201, service_level=str(small.pk))
    assert_refused(response, "at most 200 characters")


def test_over_long_statement_is_refused(client, setup, terms):
    response = post(
        client, setup, terms, type="operational", pledge_money="500", statement="x" * 5001
    )
    assert_refused(response, "at most 5000 characters")


def test_organisation_without_its_name_is_refused(client, setup, small, terms):
    response = post(client, setup, terms, kind="organisation", service_level=str(small.pk))
    assert_refused(response, "Give the name of the organisation")


def test_garbage_choices_are_form_errors(client, setup, terms):
    response = post(
        client,
        setup,
        terms,
        kind="robot",
        type="boss",
        country="XX",
        language="tlh",
        service_level="abc",
    )
    assert_refused(response, "Select a valid choice")


# --- the waiting list -----------------------------------------------------------------------------


def test_full_level_keeps_the_application_on_the_waiting_list(
    client, setup, small, other_steward, terms
):
    MembershipFactory.create_batch(2, steward=setup, service_level=small, status="active")
    nowhere = StewardFactory(slug="nowhere", name="No Room Left")
    StewardOfferFactory(steward=nowhere, service_level=small, capacity=0)

    response = post(client, setup, terms, service_level=str(small.pk))

    application = Application.objects.get()
    assert application.status == Application.Status.WAITLISTED
    decision = ApplicationDecision.objects.get()
    assert decision.status_to == "waitlisted"
    thanks = client.get(response["Location"]).content.decode()
    assert "You are on the waiting list" in thanks
    assert "Maple Rooms" in thanks  # still has room at Small
    assert "No Room Left" not in thanks
    assert reverse("resellers:apply", args=["maple"]) in thanks


def test_one_place_left_is_not_the_waiting_list(client, setup, small, terms):
    MembershipFactory(steward=setup, service_level=small, status="active")
    post(client, setup, terms, service_level=str(small.pk))
    assert Application.objects.get().status == Application.Status.SUBMITTED


# --- the spam guard -------------------------------------------------------------------------------


def test_honeypot_filled_is_refused_with_a_clear_message(client, setup, small, terms):
    response = post(
        client, setup, terms, service_level=str(small.pk), website="http://spam.example"
    )
    assert_refused(response, "This form looked automated")


def test_rate_limit_per_ip_refuses_with_a_clear_message(client, setup, small, terms, settings):
    settings.RESELLERS_APPLY_RATE = "2/h"
    for i in range(2):
        response = post(
            client, setup, terms, email=f"a{i}@example.org", service_level=str(small.pk)
        )
        assert response.status_code == 302

    response = post(client, setup, terms, email="a3@example.org", service_level=str(small.pk))

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many applications" in html
    # A small page; what was typed stays in the browser, one step back.
    assert "Nothing you typed is lost" in html
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Application.objects.count() == 2
    # Another address is not limited.
    other = client.post(
        apply_url(setup),
        form_data(terms, email="b@example.org", service_level=str(small.pk)),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302
