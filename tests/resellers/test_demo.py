import io

import pytest
from django.apps import apps
from django.core.management import call_command

from contributions.models import DuesInvoice
from resellers.models import Application

pytestmark = pytest.mark.django_db


def counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_seed_demo_has_applications_in_every_state_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())

    assert counts() == first
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"submitted", "waitlisted", "approved", "rejected"} <= statuses
    approved = Application.objects.get(status="approved")
    assert approved.membership.status == "active"
    # The approval (dated yesterday in the demo) issued the first invoice; the contributions
    # demo adds the earlier periods that every demo user membership has.
    approved_on = approved.membership.admitted_on
    assert DuesInvoice.objects.filter(
        membership=approved.membership, period_start=approved_on
    ).exists()
    rejected = Application.objects.get(status="rejected")
    assert rejected.decisions.get(status_to="rejected").decided_by.email.startswith("admin@")
