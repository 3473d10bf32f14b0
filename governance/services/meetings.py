"""Writes of meetings and their attendance."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.dates import check_plausible
from meetcoop.core.errors import DomainError
from membership.services import facts_changed_together

from .. import selectors
from ..models import Attendance, Circle, Meeting


def meeting_create(
    *,
    kind: str,
    title: str,
    held_on: datetime.date,
    circle: Circle | None = None,
    agenda: str = "",
    minutes_url: str = "",
    actor,
) -> Meeting:
    """Plan a meeting: a co-op admin any, a circle's coordinator its own circle's meetings
    (``selectors.can_plan_meeting``); anyone else is refused."""
    if not selectors.can_plan_meeting(actor, kind=kind, circle=circle, on=timezone.localdate()):
        raise PermissionDenied
    check_plausible(held_on, field="held_on")
    with transaction.atomic():
        meeting = Meeting(
            kind=kind,
            circle=circle,
            title=title,
            held_on=held_on,
            agenda=agenda,
            minutes_url=minutes_url,
        )
        meeting.full_clean()
        meeting.save()
        audit_log(actor=actor, action="governance.meeting.created", obj=meeting)
    return meeting


def attendance_record(*, meeting: Meeting, member_ids, actor, note: str = "", now=None) -> Meeting:
    """Set who attended ``meeting`` to exactly ``member_ids`` (the ticked boxes). Only members
    the page listed (everyone expected, or already ticked) may be ticked. Recording it twice
    with the same boxes changes nothing but the time. Changing who was present once the
    attendance was recorded is a correction: it needs ``note``, why, kept in the audit entry
    with who and when (a member's attendance rate, and so its status, may change with it).
    Only someone who may record this meeting (``selectors.can_record_attendance``: a co-op
    admin; for All Hands any circle coordinator; for a circle meeting a coordinator of that
    circle) may."""
    now = now or timezone.now()
    if not selectors.can_record_attendance(actor, meeting, on=timezone.localdate(now)):
        raise PermissionDenied
    wanted = {int(pk) for pk in member_ids}
    # The attendances taken away: their marks in one UPDATE (the meeting's save rechecks all).
    with transaction.atomic(), facts_changed_together():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.held_on > timezone.localdate(now):
            raise DomainError(_("Attendance can be recorded once the meeting has been held."))
        allowed = set(selectors.expected_attendees(meeting).values_list("pk", flat=True))
        unknown = wanted - allowed
        if unknown:
            raise DomainError(_("Only the members listed for this meeting can be ticked."))
        present = set(meeting.attendances.values_list("member_id", flat=True))
        note = (note or "").strip()
        correcting = meeting.attendance_recorded_at is not None and wanted != present
        if correcting and not note:
            raise DomainError(
                _(
                    "The attendance of this meeting was already recorded. Say why it changes: "
                    "the attendance rates of the members you tick or untick change with it."
                ),
                field="note",
            )
        meeting.attendances.filter(member_id__in=present - wanted).delete()
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, member_id=pk, recorded_by=actor, recorded_at=now)
                for pk in sorted(wanted - present)
            ]
        )
        meeting.attendance_recorded_at = now
        meeting.attendance_recorded_by = actor
        meeting.save(update_fields=["attendance_recorded_at", "attendance_recorded_by"])
        audit_log(
            actor=actor,
            action="governance.meeting.attendance_recorded",
            obj=meeting,
            data={
                "present": len(wanted),
                "added": sorted(wanted - present),
                "removed": sorted(present - wanted),
                **({"correction": True, "note": note} if correcting else {}),
            },
        )
    return meeting
