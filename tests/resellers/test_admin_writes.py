"""The applications admin: the export needs the change permission and is audited."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from meetcoop.core.models import AuditEntry
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/resellers/application/"


def test_an_export_is_audited_with_the_applications_it_took(client, steward_admin, setup):
    mine = ApplicationFactory(steward=setup, email="own@example.org")
    client.force_login(steward_admin)
    response = client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [mine.pk]})
    assert response["Content-Type"].startswith("text/csv")
    entry = AuditEntry.objects.get(action="resellers.application.exported")
    assert (entry.actor, entry.data["applications"]) == (steward_admin, [mine.pk])


def test_a_view_only_admin_is_offered_no_action_and_exports_nothing(client, setup):
    application = ApplicationFactory(steward=setup)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_application", content_type__app_label="resellers")
    )
    setup.admins.add(viewer)
    client.force_login(viewer)
    page = client.get(CHANGELIST)
    assert application.email in page.content.decode()
    form = page.context.get("action_form")
    assert not form or {n for n, _ in form.fields["action"].choices} <= {""}
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [application.pk]}
    )
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert client.get(reverse("admin:resellers_application_changelist")).status_code == 200
    assert not AuditEntry.objects.filter(action="resellers.application.exported").exists()
