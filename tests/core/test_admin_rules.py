"""Rules every admin keeps, read from the admin site itself: an action needs the change
permission of its model, and rows that must be kept are never offered to "Delete selected"."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory

from governance import services as governance
from tests.factories import (
    AttendanceFactory,
    CircleFactory,
    CircleRoleFactory,
    MeetingFactory,
    PolicyFactory,
    ProposalFactory,
    TermsVersionFactory,
    UserFactory,
    voting_member,
)

pytestmark = pytest.mark.django_db

# "app_label.model" of every admin whose rows are kept (or kept once they have history).
KEPT = [
    "membership.member",
    "membership.membership",
    "membership.policy",
    "membership.termsversion",
    "membership.termsacceptance",
    "membership.statusrun",
    "membership.statuschange",
    "membership.statusnotice",
    "resellers.application",
    "contributions.ledgerentry",
    "contributions.duesinvoice",
    "contributions.duespayment",
    "contributions.revenuereport",
    "contributions.revenuesharepayment",
    "governance.proposal",
    "governance.circle",
    "governance.circlerole",
    "governance.meeting",
    "governance.governancedocument",
    "governance.documentversion",
    "governance.stancerecord",
    "core.auditentry",
]


def model_admin(label: str):
    for model, registered in admin.site._registry.items():
        if model._meta.label_lower == label:
            return registered
    raise LookupError(label)


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


# Our apps (third-party admins, allauth's and Celery beat's, keep their own rules).
OURS = {"core", "users", "membership", "governance", "resellers", "contributions", "standing"}


def test_every_admin_action_needs_the_change_permission():
    missing = [
        f"{model._meta.label_lower}.{name}"
        for model, registered in admin.site._registry.items()
        if model._meta.app_label in OURS
        for func, name, _description in registered._get_base_actions()
        if name != "delete_selected" and "change" not in getattr(func, "allowed_permissions", ())
    ]
    assert missing == []


@pytest.mark.parametrize("label", KEPT)
def test_kept_rows_are_never_offered_to_delete_selected(label, superuser_request):
    assert "delete_selected" not in model_admin(label).get_actions(superuser_request)


def test_rows_with_history_refuse_deletion_one_by_one(superuser_request):
    check = {
        label: model_admin(label).has_delete_permission
        for label in [
            "governance.circle",
            "governance.meeting",
            "governance.proposal",
            "membership.policy",
            "membership.termsversion",
        ]
    }
    author = superuser_request.user
    seated = CircleRoleFactory().circle
    attended = AttendanceFactory().meeting
    voting_member()  # an electorate of one, so that the proposal can open
    opened = governance.proposal_open(
        proposal=ProposalFactory(author=author),
        closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
        actor=author,
    )
    in_force = PolicyFactory(effective_from=datetime.date(2020, 1, 1))
    published = TermsVersionFactory()
    assert not check["governance.circle"](superuser_request, seated)
    assert not check["governance.meeting"](superuser_request, attended)
    assert not check["governance.proposal"](superuser_request, opened)
    assert not check["membership.policy"](superuser_request, in_force)
    assert not check["membership.termsversion"](superuser_request, published)
    # What has no history yet may still go, from its own page.
    assert check["governance.circle"](superuser_request, CircleFactory())
    assert check["governance.meeting"](
        superuser_request, MeetingFactory(attendance_recorded_at=None)
    )
    assert check["governance.proposal"](superuser_request, ProposalFactory())
    assert check["membership.policy"](
        superuser_request, PolicyFactory(effective_from=datetime.date(2100, 1, 1))
    )
    assert check["membership.termsversion"](
        superuser_request,
        TermsVersionFactory(published_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)),
    )


def test_the_audit_log_is_offered_no_action_at_all(superuser_request):
    assert model_admin("core.auditentry").get_actions(superuser_request) == {}
