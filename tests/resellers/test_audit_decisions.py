"""Edges of the steward's admins' decisions and of the email owner's answer."""

import pytest
from django.core import mail

from resellers.models import Application, ApplicationDecision
from resellers.services import application_approve
from tests.factories import ApplicationFactory, MemberContactFactory, UserFactory
from tests.resellers.test_ownership import link_in

pytestmark = pytest.mark.django_db

OWNER = "nuria@example.org"


@pytest.fixture
def waiting(setup, small, terms, steward_admin, django_capture_on_commit_callbacks):
    """An application giving a member's email, approved: it waits for the email's owner."""
    owner = MemberContactFactory(member__email=OWNER, user__email=OWNER)
    app = ApplicationFactory(
        steward=setup, service_level=small, email=OWNER, terms=list(terms.values())
    )
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=app, actor=steward_admin)
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_CONFIRMATION
    return {"app": app, "owner": owner.user, "link": link_in(mail.outbox[-1])}


def test_another_login_signed_in_is_not_recorded_as_the_one_who_disowned(
    client, waiting, django_capture_on_commit_callbacks
):
    """The page tells a login signed in as someone else that its answer "changes nothing for"
    it: the decision must not name that login either (the model's contract: empty when the
    applicant acted), nor show its email to the steward's admins as the one who decided."""
    bystander = UserFactory(email="bystander@example.net")
    client.force_login(bystander)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(waiting["link"], {"answer": "not_mine"})
    app = Application.objects.get(pk=waiting["app"].pk)
    assert app.status == Application.Status.DISOWNED
    assert app.decided_by is None
    last = ApplicationDecision.objects.filter(application=app).latest("decided_at", "id")
    assert last.status_to == Application.Status.DISOWNED and last.decided_by is None


def test_the_owner_signed_in_is_recorded_as_the_one_who_disowned(
    client, waiting, django_capture_on_commit_callbacks
):
    client.force_login(waiting["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(waiting["link"], {"answer": "not_mine"})
    app = Application.objects.get(pk=waiting["app"].pk)
    assert app.status == Application.Status.DISOWNED
    assert app.decided_by == waiting["owner"]


def test_the_detail_page_of_an_application_waiting_for_its_owner_offers_reject_and_resend(
    client, waiting, steward_admin
):
    """docs/applications.md: "The detail page has the same buttons", and "the steward's
    admin may reject an application that waits". It offered none: the page showed buttons
    only for pending and waitlisted applications."""
    client.force_login(steward_admin)
    page = client.get(f"/admin/resellers/application/{waiting['app'].pk}/change/")
    html = page.content.decode()
    assert 'value="reject_selected"' in html
    assert 'value="resend_confirmation"' in html
    assert 'value="approve_selected"' not in html  # approving again would only say "decided"


@pytest.mark.parametrize("status", ["approved", "rejected", "disowned", "awaiting_assembly"])
def test_the_detail_page_of_a_decided_application_offers_no_decision(
    client, setup, small, steward_admin, status
):
    app = ApplicationFactory(steward=setup, service_level=small, status=status)
    if status == "awaiting_assembly":
        app = ApplicationFactory(steward=setup, operational=True, status=status)
    client.force_login(steward_admin)
    html = client.get(f"/admin/resellers/application/{app.pk}/change/").content.decode()
    assert "reject_selected" not in html and "approve_selected" not in html


def test_rejecting_from_the_detail_page_of_an_application_waiting_for_its_owner(
    client, waiting, steward_admin, django_capture_on_commit_callbacks
):
    client.force_login(steward_admin)
    pk = waiting["app"].pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/resellers/application/",
            {
                "action": "reject_selected",
                "_selected_action": [str(pk)],
                "apply": "1",
                "reason": "Not aligned with our values.",
            },
        )
    app = Application.objects.get(pk=pk)
    assert app.status == Application.Status.REJECTED
    assert app.decided_by == steward_admin and app.decided_at is not None
