"""Writes of circles and their seats."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.dates import check_plausible, date_medium
from meetcoop.core.errors import DomainError

from .. import selectors
from ..models import Circle, CircleRole
from ..signals import seats_changed

logger = logging.getLogger(__name__)


def seats_changed_after_commit(member_ids) -> None:
    """Send ``seats_changed`` for ``member_ids`` once the current transaction commits (see its
    contract in ``governance.signals``)."""
    ids = sorted(set(member_ids))
    if not ids:
        return

    def send():
        for receiver, result in seats_changed.send_robust(sender=None, member_ids=ids):
            if isinstance(result, Exception):
                logger.error("seats_changed receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)


def circle_create(
    *, name: str, slug: str, purpose: str = "", translations: dict | None = None, actor
) -> Circle:
    """Add a circle. ``translations`` are its purpose in other languages (``purpose_ca``...)."""
    allowed = {f"purpose_{code}" for code, _name in settings.LANGUAGES}
    with transaction.atomic():
        circle = Circle(name=name, slug=slug, purpose=purpose)
        for key, value in (translations or {}).items():
            if key in allowed:
                setattr(circle, key, value)
        circle.full_clean()
        circle.save()
        audit_log(actor=actor, action="governance.circle.created", obj=circle)
    return circle


def circle_seat_add(
    *, circle: Circle, member, role: str, started_on: datetime.date, actor
) -> CircleRole:
    """Seat ``member`` in ``circle`` from ``started_on``. Refused when it already holds an open
    seat of that role there, and for anyone but an admitted operational member whose membership
    has not ended (``selectors.may_sit``): a seat as coordinator gives powers over the co-op's
    hours and attendance."""
    check_plausible(started_on, field="started_on")
    with transaction.atomic():
        Circle.objects.select_for_update().get(pk=circle.pk)
        if not selectors.may_sit(member):
            raise DomainError(
                _(
                    "%(member)s can't sit in a circle: only operational members who have been "
                    "admitted and whose membership has not ended can."
                )
                % {"member": member},
                field="member",
            )
        first_day = selectors.seat_first_day(member)
        if first_day is not None and started_on < first_day:
            raise DomainError(
                _("A seat can't start before %(member)s was admitted, on %(date)s.")
                % {"member": member, "date": date_medium(first_day)},
                field="started_on",
            )
        open_seat = CircleRole.objects.filter(circle=circle, member=member, role=role).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=started_on)
        )
        if open_seat.exists():
            raise DomainError(_("%(member)s already holds this seat.") % {"member": member})
        seat = CircleRole(circle=circle, member=member, role=role, started_on=started_on)
        seat.full_clean()
        seat.save()
        audit_log(
            actor=actor,
            action="governance.seat.added",
            obj=seat,
            data={"role": role, "started_on": started_on.isoformat()},
        )
        seats_changed_after_commit([seat.member_id])
    return seat


def _seat_cancel(seat: CircleRole, *, actor, **why) -> None:
    """Delete ``seat``, which has not started, and audit it (its role, member, first day)."""
    audit_log(
        actor=actor,
        action="governance.seat.cancelled",
        obj=seat,
        data={
            "role": seat.role,
            "member": seat.member_id,
            "started_on": seat.started_on.isoformat(),
            **why,
        },
    )
    seat.delete()


def circle_seat_end(
    *, seat: CircleRole, ended_on: datetime.date, actor, today: datetime.date | None = None
) -> CircleRole | None:
    """End ``seat`` on ``ended_on`` (its last day). A seat that has not started yet (it starts
    after ``today``) and is ended before it starts is cancelled: deleted, audited, and None is
    returned; nothing can have been recorded on a day it was held. A seat that has started
    can't end before it started."""
    today = today or timezone.localdate()
    check_plausible(ended_on, field="ended_on", today=today)
    with transaction.atomic():
        seat = CircleRole.objects.select_for_update().get(pk=seat.pk)
        if seat.ended_on is not None and seat.ended_on <= ended_on:
            return seat
        if ended_on < seat.started_on and seat.started_on > today:
            _seat_cancel(seat, actor=actor)
            seats_changed_after_commit([seat.member_id])
            return None
        if ended_on < seat.started_on:
            raise DomainError(_("A seat can't end before it starts."))
        seat.ended_on = ended_on
        seat.save(update_fields=["ended_on"])
        audit_log(
            actor=actor,
            action="governance.seat.ended",
            obj=seat,
            data={"ended_on": ended_on.isoformat()},
        )
        seats_changed_after_commit([seat.member_id])
    return seat


def seats_end_for_departed(
    *, member, on: datetime.date, actor, note: str = "", today: datetime.date | None = None
) -> int:
    """The member's membership ended on ``on``: if it may no longer sit in a circle
    (``selectors.may_sit``: no other admitted operational membership that has not ended),
    every seat it holds after ``on`` ends on ``on`` (its last day), each audited as caused by
    the end. A seat that has not started yet (it starts after ``on`` and after ``today``) is
    cancelled; one that started after ``on`` but has been held (an end dated back) ends on
    its first day, so that its history stays. Seats ended on or before ``on`` are history and
    stay. A member that may still sit keeps its seats. Returns how many seats were ended or
    cancelled; a second call finds none."""
    today = today or timezone.localdate()
    why = {"because": "membership_ended", "note": note}
    changed = 0
    with transaction.atomic():
        seats = CircleRole.objects.select_for_update().filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on), member=member
        )
        locked = list(seats.order_by("pk"))
        if not locked or selectors.may_sit(member):
            return 0
        for seat in locked:
            changed += 1
            if seat.started_on > max(on, today):
                _seat_cancel(seat, actor=actor, **why)
                continue
            seat.ended_on = max(on, seat.started_on)
            seat.save(update_fields=["ended_on"])
            audit_log(
                actor=actor,
                action="governance.seat.ended",
                obj=seat,
                data={"ended_on": seat.ended_on.isoformat(), **why},
            )
        seats_changed_after_commit([member.pk])
    return changed
