"""The one way to write to the audit log.

An entry names its object by ids only (``object_repr`` is "<model> #<id>", never the row's
name): names are read from the live row when the entry is shown (the audit log's admin), so a
former member's erasure finds nothing to rewrite in ``object_repr``.
"""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def object_label(obj) -> str:
    """What an entry stores to name ``obj``: its model and id, nothing a person typed."""
    return f"{obj._meta.model_name} #{obj.pk}"[:300]


def audit_log(*, actor, action: str, obj=None, data: dict | None = None) -> AuditEntry:
    """Record that ``actor`` (a user, or None for the system) did ``action`` to ``obj``.

    ``action`` is a namespaced code such as ``membership.application.approved``.
    """
    entry = AuditEntry(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action,
        data=data or {},
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = object_label(obj)
    entry.save()
    return entry


def audit_log_many(*, actor, action: str, objects, data) -> list[AuditEntry]:
    """One audit entry per object of ``objects`` (saved, with their pks), written in one
    INSERT. ``data`` gives each object's data: ``data(obj) -> dict``."""
    objects = list(objects)
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    actor = actor if actor is not None and getattr(actor, "pk", None) else None
    return AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                action=action,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=object_label(obj),
                data=data(obj),
            )
            for obj in objects
        ]
    )


def audited_update(locked, values: dict, *, actor, action: str):
    """Set ``values`` on the row ``locked`` (already locked by the caller), validate it, save
    only the fields that change, and record them with their old and new values under
    ``action``. Setting the values it already has changes nothing and writes no entry.
    Returns the row."""
    changed = {name: value for name, value in values.items() if getattr(locked, name) != value}
    if not changed:
        return locked
    before = {name: getattr(locked, name) for name in changed}
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=sorted(changed))
    audit_log(actor=actor, action=action, obj=locked, data={"from": before, "to": changed})
    return locked


def audited_delete(locked, *, actor, action: str, data: dict) -> None:
    """Delete the row ``locked`` (already locked and checked by the caller), leaving an audit
    entry that says what it was."""
    audit_log(actor=actor, action=action, obj=locked, data=data)
    locked.delete()
