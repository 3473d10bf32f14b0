"""The emails of a submission: the applicant, and whoever runs the steward."""

import pytest

from tests.resellers.test_apply import post

pytestmark = pytest.mark.django_db


def test_a_steward_without_admins_is_told_at_its_contact_email(
    client, setup, small, terms, mailoutbox, django_capture_on_commit_callbacks
):
    """A steward whose admins all left (or the co-op before it named any) was told nothing:
    the application waited unseen. It is told at its contact email, in its first language,
    as for a concern about its service."""
    setup.contact_email = "hola@comuns.example"
    setup.save(update_fields=["contact_email"])
    assert not setup.admins.exists()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, setup, terms, service_level=str(small.pk))
    [notice] = [m for m in mailoutbox if m.to == ["hola@comuns.example"]]
    assert "/admin/resellers/application/" in notice.body
    assert [m.to for m in mailoutbox if m is not notice] == [["nuria@example.org"]]


def test_a_steward_with_admins_tells_them_and_not_its_contact_email(
    client, setup, small, terms, steward_admin, mailoutbox, django_capture_on_commit_callbacks
):
    setup.contact_email = "hola@comuns.example"
    setup.save(update_fields=["contact_email"])
    with django_capture_on_commit_callbacks(execute=True):
        post(client, setup, terms, service_level=str(small.pk))
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["admin@comuns.example", "nuria@example.org"]


def test_an_inactive_admin_is_not_told(
    client, setup, small, terms, steward_admin, mailoutbox, django_capture_on_commit_callbacks
):
    steward_admin.is_active = False
    steward_admin.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        post(client, setup, terms, service_level=str(small.pk))
    assert "admin@comuns.example" not in [m.to[0] for m in mailoutbox]
