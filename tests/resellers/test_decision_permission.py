"""Only a co-op admin or an active admin of an application's own steward decides it. The
admin's scoping already hides another steward's applications; the decision services check
it too, so that no other way in decides for a steward that is not the actor's."""

import pytest
from django.core.exceptions import PermissionDenied

from resellers.models import Application, ApplicationDecision
from resellers.services import (
    application_approve,
    application_confirmation_resend,
    application_reject,
    application_waitlist,
)
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

DECISIONS = {
    "approve": lambda app, actor: application_approve(application=app, actor=actor),
    "reject": lambda app, actor: application_reject(application=app, actor=actor, reason="No."),
    "waitlist": lambda app, actor: application_waitlist(application=app, actor=actor),
}


@pytest.fixture
def application(setup, small, terms):
    return ApplicationFactory(
        steward=setup, service_level=small, email="nuria@example.org", terms=list(terms.values())
    )


@pytest.mark.parametrize("decision", DECISIONS)
def test_another_stewards_admin_decides_nothing(application, other_admin, decision):
    with pytest.raises(PermissionDenied, match="Only the admins of"):
        DECISIONS[decision](application, other_admin)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert (
        not ApplicationDecision.objects.filter(application=application)
        .exclude(status_to=Application.Status.SUBMITTED)
        .exists()
    )


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_login_that_administers_no_steward_decides_nothing(application, decision):
    with pytest.raises(PermissionDenied):
        DECISIONS[decision](application, UserFactory(is_staff=True))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_a_deactivated_admin_of_the_steward_decides_nothing(application, steward_admin):
    steward_admin.is_active = False
    steward_admin.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        application_waitlist(application=application, actor=steward_admin)


@pytest.mark.parametrize(
    ("decision", "status"),
    [("reject", Application.Status.REJECTED), ("waitlist", Application.Status.WAITLISTED)],
)
def test_the_stewards_admin_and_a_coop_admin_decide(
    application, steward_admin, coop_admin, decision, status
):
    DECISIONS[decision](application, steward_admin)
    application.refresh_from_db()
    assert application.status == status
    other = ApplicationFactory(steward=application.steward, service_level=application.service_level)
    DECISIONS[decision](other, coop_admin)
    other.refresh_from_db()
    assert other.status == status


def test_another_stewards_admin_cant_send_the_owners_link_again(application, other_admin):
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.AWAITING_CONFIRMATION
    )
    application.refresh_from_db()
    with pytest.raises(PermissionDenied):
        application_confirmation_resend(application=application, actor=other_admin)
