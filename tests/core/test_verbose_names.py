"""Every field of the co-op's models is named for people in their language: a relation left
without a ``verbose_name`` is named by Django from its attribute, in English ("Member" at the
head of the memberships' list read in German)."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

from tests.factories import MembershipFactory, UserFactory

APPS = {"core", "membership", "governance", "resellers", "contributions", "standing", "users"}
# Bookkeeping columns shown to nobody (no admin lists, forms or pages show them).
INTERNAL = {
    "core.AuditEntry.object",  # shown as "object_shown", named in the admin
    "core.SubmissionKey.key",
    "core.SubmissionKey.created_at",
    "core.SubmissionKey.outcome_url",
    "governance.Proposal.outcome_code",
    "governance.Proposal.outcome_params",
    "membership.ErasureRequest.token",
    "resellers.Application.submission_notified_at",
    "resellers.Application.decision_notified_status",
    "resellers.Application.duplicate_notified_at",
    "resellers.Concern.opened_notified_at",
    "resellers.Concern.decided_notified_at",
}


def test_every_field_has_a_translatable_name():
    unnamed = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.get_fields():
            if (field.auto_created and not field.concrete) or field.name == "id":
                continue
            label = f"{model._meta.label}.{field.name}"
            named = isinstance(getattr(field, "verbose_name", None), Promise)
            if hasattr(field, "verbose_name") and label not in INTERNAL and not named:
                unnamed.append(f"{label} ({field.verbose_name!r})")
    assert not unnamed, "Fields named by Django, in English:\n" + "\n".join(unnamed)


@pytest.mark.django_db
def test_the_memberships_list_heads_its_member_column_in_the_readers_language(client):
    MembershipFactory()
    admin = UserFactory(is_staff=True, is_superuser=True, language="de")
    client.force_login(admin)
    page = client.get(reverse("admin:membership_membership_changelist")).content.decode()
    assert 'column-member"' in page
    head = page.split('column-member"', 1)[1].split("</th>", 1)[0]
    assert "Mitglied" in head and "Member" not in head
