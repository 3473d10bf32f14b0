import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError

from meetcoop.core.audit import audit_log
from meetcoop.core.models import AppendOnlyError, AuditEntry
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    actor = UserFactory()
    member = MemberFactory(name="Ada Arnau")
    return audit_log(actor=actor, action="membership.member.created", obj=member, data={"a": 1})


def test_audit_log_records_actor_action_object_and_data(entry):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.action == "membership.member.created"
    assert stored.object_repr == f"member #{stored.object_id}"  # ids, never names
    assert stored.object.name == "Ada Arnau"
    assert stored.data == {"a": 1}
    assert stored.actor is not None
    assert stored.created_at is not None


def test_system_actions_have_no_actor():
    stored = audit_log(actor=None, action="status.nightly.ran")
    assert stored.actor is None


def test_an_entry_cannot_be_changed(entry):
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "membership.member.created"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_and_delete_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "membership.member.created"


def forged(entry):
    """A new instance given the id of an entry already written."""
    return AuditEntry(
        pk=entry.pk,
        actor=entry.actor,
        action="something.else",
        content_type=entry.content_type,
        object_id=entry.object_id,
        data={},
    )


def test_a_new_instance_given_the_id_of_an_entry_cannot_overwrite_it(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        forged(entry).save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "membership.member.created"


def test_an_upsert_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create(
            [forged(entry)], update_conflicts=True, unique_fields=["id"], update_fields=["action"]
        )
    assert AuditEntry.objects.get(pk=entry.pk).action == "membership.member.created"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_raw_sql_update_and_delete(entry):
    for sql in (
        "UPDATE core_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "membership.member.created"


def test_the_admin_shows_entries_read_only(client, coop_admin, entry):
    client.force_login(coop_admin)
    change_url = f"/admin/core/auditentry/{entry.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert b"membership.member.created" in page.content
    assert b'name="_save"' not in page.content
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert (
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
