"""The status writer: a status change and its history, from an evaluation or a person."""

import datetime
import json
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.db import bulk_insert, in_ids, int_array
from meetcoop.core.errors import DomainError
from meetcoop.core.phases import phase

from ..models import Membership, StatusChange, StatusNotice
from ..signals import membership_ended
from .signals import statuses_changed_after_commit

STATUS_LOCK = "membership-status-recompute"
WRITE_CHUNK = 2000


class _ReasonsText:
    """The JSON text of lists of reasons, each distinct list encoded once: in one run,
    thousands of members lapse, or are warned, for the same few reasons with the same
    numbers. Call it with a list of reasons; keep one per run."""

    def __init__(self):
        self._texts: dict[tuple, str] = {}

    def __call__(self, reasons: list) -> str:
        key = tuple((r.code, r.ok, r.at_risk, tuple(r.params.items())) for r in reasons)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = json.dumps([r.as_json() for r in reasons])
        return text


class Decision(NamedTuple):
    """What a run keeps of one membership's evaluation, when it moves or may be warned: a
    few strings instead of the evaluation and its reasons (a slice's evaluations are
    dropped once decided, so the run's memory follows a slice, not the co-op)."""

    membership_id: int
    status: str  # the status it has now
    new_status: str
    why: str  # the JSON text of the reasons for the change ("" when it does not change)
    at_risk: tuple  # ((cause, JSON text of all its reasons), ...): it stays active, at risk

    @property
    def changes(self) -> bool:
        return self.new_status != self.status


def status_decisions(evaluations, as_text: "_ReasonsText") -> list[Decision]:
    """The decisions of the ``evaluations`` (``membership.rules.Evaluation``) that move a
    membership or may warn it; the others need nothing written. ``as_text``: one
    ``reasons_text()`` per run, so each distinct list of reasons is encoded once."""
    decisions = []
    for e in evaluations:
        if e.changes:
            decisions.append(
                Decision(e.membership_id, e.status, e.new_status, as_text(e.why()), ())
            )
        elif e.at_risk and e.new_status == "active":
            text = as_text(e.reasons)
            causes = tuple(dict.fromkeys(r.cause for r in e.at_risk))
            decisions.append(
                Decision(
                    e.membership_id, e.status, e.new_status, "", tuple((c, text) for c in causes)
                )
            )
    return decisions


def reasons_text() -> "_ReasonsText":
    """A new encoder of lists of reasons to JSON text, each distinct list encoded once."""
    return _ReasonsText()


CHANGE_FIELDS = [
    "membership_id",
    "old_status",
    "new_status",
    "effective_on",
    "changed_at",
    "source",
    "actor_id",
    "run_id",
    "reasons",
    "note",
]
NOTICE_FIELDS = ["membership_id", "kind", "cause", "reasons", "created_at", "sent_at"]


def _write_changes_postgresql(by_move, *, now, started_at, on, source, actor, run) -> list:
    """Per kind of move (active to lapsed, lapsed to active) one statement that updates the
    memberships still as the evaluation read them and, from the rows it updated, writes their
    history with the reasons.

    Thousands of members lapse for the same few reasons with the same numbers, so each
    distinct set of reasons is sent, and parsed by the database, once: the statement takes the
    ids, for each id the position of its reasons, and the distinct reasons as one JSON array.
    """
    written = []
    with connection.cursor() as cursor:
        for (old, new), group in by_move.items():
            distinct: dict[str, int] = {}
            positions = [distinct.setdefault(d.why, len(distinct)) for d in group]
            ids = int_array(e.membership_id for e in group)
            cursor.execute(
                """
                WITH moved AS (
                    UPDATE membership_membership
                       SET status = %(new)s, status_changed_at = %(now)s,
                           next_check_on = %(on)s::date + 1
                     WHERE id = ANY(%(ids)s::bigint[])
                       AND status = %(old)s AND status_changed_at <= %(started)s
                 RETURNING id
                ),
                why AS (
                    SELECT * FROM unnest(%(ids)s::bigint[], %(positions)s::int[])
                        AS why(id, position)
                ),
                docs AS (SELECT %(docs)s::jsonb AS docs)
                INSERT INTO membership_statuschange (membership_id, old_status, new_status,
                       effective_on, changed_at, source, actor_id, run_id, reasons, note)
                SELECT moved.id, %(old)s, %(new)s, %(on)s, %(now)s, %(source)s, %(actor)s,
                       %(run)s, docs.docs -> why.position, ''
                  FROM moved
                  JOIN why ON why.id = moved.id
                 CROSS JOIN docs
             RETURNING membership_id
                """,
                {
                    "new": new,
                    "old": old,
                    "now": now,
                    "ids": ids,
                    "positions": int_array(positions),
                    "docs": "[" + ",".join(distinct) + "]",
                    "started": started_at,
                    "on": on,
                    "source": source,
                    "actor": getattr(actor, "pk", None),
                    "run": run.pk,
                },
            )
            written.extend((pk, old, new, None) for (pk,) in cursor.fetchall())
    return written


def _move_statuses(by_move, *, now, started_at, check_on) -> list[tuple[int, str, str]]:
    """The same with the ORM, a chunk at a time (SQLite)."""
    moved = []
    for (old, new), group in by_move.items():
        ids = [e.membership_id for e in group]
        for start in range(0, len(ids), WRITE_CHUNK):
            chunk = ids[start : start + WRITE_CHUNK]
            locked = list(
                Membership.objects.select_for_update()
                .filter(pk__in=chunk, status=old, status_changed_at__lte=started_at)
                .order_by()
                .values_list("pk", flat=True)
            )
            if locked:
                Membership.objects.filter(pk__in=locked).order_by().update(
                    status=new, status_changed_at=now, next_check_on=check_on
                )
                moved.extend((pk, old, new) for pk in locked)
    return moved


def _record_changes(*, decisions, on, source, actor, run, started_at) -> list[tuple]:
    """Write the changed statuses and their history in the current transaction.

    Only rows still in the status the evaluation read, and not changed by anyone since the
    run started, are written (a renewal saved meanwhile is never overwritten). Returns the
    (membership id, old, new, reasons) written.
    """
    now = timezone.now()
    by_move: dict[tuple[str, str], list] = {}
    for decision in decisions:
        if decision.changes:
            by_move.setdefault((decision.status, decision.new_status), []).append(decision)
    if connection.vendor == "postgresql":
        return _write_changes_postgresql(
            by_move, now=now, started_at=started_at, on=on, source=source, actor=actor, run=run
        )
    moved = _move_statuses(
        by_move, now=now, started_at=started_at, check_on=on + datetime.timedelta(days=1)
    )
    written = [
        (pk, old, new, json.loads(by_id[pk].why))
        for by_id in [{d.membership_id: d for group in by_move.values() for d in group}]
        for pk, old, new in moved
    ]
    bulk_insert(
        StatusChange,
        CHANGE_FIELDS,
        (
            (pk, old, new, on, now, source, getattr(actor, "pk", None), run.pk, reasons, "")
            for pk, old, new, reasons in written
        ),
    )
    return written


def _warnings(*, decisions, on) -> dict:
    """{(membership id, cause): reasons JSON text} of the at-risk notices to queue: each
    cause a membership that stays active has not been warned of before. Left out: the
    memberships whose status changes now (the change's email says it all) and those whose
    last status change was to active on ``on`` (a second run the same day must not warn a
    member the first run, or a person, has just made active; it is warned on a later day)."""
    at_risk = {}
    for decision in decisions:
        for cause, text in decision.at_risk:
            at_risk[(decision.membership_id, cause)] = text
    if not at_risk:
        return {}
    known = set(
        StatusNotice.objects.filter(
            kind=StatusNotice.Kind.AT_RISK, cause__in={cause for _pk, cause in at_risk}
        ).values_list("membership_id", "cause")
    )
    fresh = {key: text for key, text in at_risk.items() if key not in known}
    if not fresh:
        return {}
    later = StatusChange.objects.filter(
        membership_id=OuterRef("membership_id"), changed_at__gt=OuterRef("changed_at")
    )
    made_active = set(
        StatusChange.objects.filter(
            in_ids("membership_id", {pk for pk, _cause in fresh}),
            effective_on=on,
            new_status=Membership.Status.ACTIVE,
        )
        .exclude(Exists(later))
        .values_list("membership_id", flat=True)
    )
    return {key: text for key, text in fresh.items() if key[0] not in made_active}


def _queue_at_risk_notices(*, warnings) -> int:
    """Queue an at-risk email for each of ``warnings`` (see ``_warnings``)."""
    if not warnings:
        return 0
    now = timezone.now()
    # PostgreSQL's COPY takes the JSON as text; elsewhere the field takes Python values.
    postgresql = connection.vendor == "postgresql"
    return bulk_insert(
        StatusNotice,
        NOTICE_FIELDS,
        [
            (
                pk,
                StatusNotice.Kind.AT_RISK,
                cause,
                text if postgresql else json.loads(text),
                now,
                None,
            )
            for (pk, cause), text in warnings.items()
        ],
    )


def next_checks_write(pairs) -> None:
    """Store each membership's next check, ``pairs`` of (membership id, date): the first day
    time alone can change its evaluation (``membership.rules.NEVER`` when none). One statement
    for all of them; rows that already hold the date are left untouched. The nightly plan
    reads it (``standing.selectors.plan``)."""
    if not pairs:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                UPDATE membership_membership AS m
                   SET next_check_on = v.day
                  FROM unnest(%s::bigint[], %s::date[]) AS v(id, day)
                 WHERE m.id = v.id AND m.next_check_on IS DISTINCT FROM v.day
                   AND m.id BETWEEN %s AND %s
                """,
                [
                    int_array(pk for pk, _day in pairs),
                    "{" + ",".join(day.isoformat() for _pk, day in pairs) + "}",
                    # The range of the ids, so that the memberships are found by their index
                    # (a slice is a range of ids): without it, every slice read the table.
                    min(pk for pk, _day in pairs),
                    max(pk for pk, _day in pairs),
                ],
            )
        else:
            cursor.executemany(
                "UPDATE membership_membership SET next_check_on = %s "
                "WHERE id = %s AND next_check_on IS NOT %s",
                [(day.isoformat(), pk, day.isoformat()) for pk, day in pairs],
            )


class Locked(NamedTuple):
    """A membership as the writer locked it: what ``refresh`` needs to tell whether its
    facts may have changed since the run read them."""

    pk: int
    type: str
    status: str
    facts_changed_at: datetime.datetime | None


def _lock_memberships(ids) -> list[Locked]:
    """Lock the memberships ``ids`` for the rest of the transaction, in id order, and return
    those that still exist as they are now (``Locked``): one read of the rows, which the
    refresh reads too. ``FOR NO KEY UPDATE`` is the lock the UPDATE takes anyway: it waits
    for, and holds off, another writer of these rows (a person's status change, a service
    marking new facts), while rows that only refer to them (an invoice, a notice) can still
    be added. On SQLite the transaction (``BEGIN IMMEDIATE``) already holds the database's
    write lock."""
    if connection.vendor != "postgresql":
        return [
            Locked(*row)
            for row in Membership.objects.filter(in_ids("pk", ids))
            .order_by("pk")
            .values_list("pk", "type", "status", "facts_changed_at")
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, type, status, facts_changed_at FROM membership_membership"
            " WHERE id = ANY(%s::bigint[]) ORDER BY id FOR NO KEY UPDATE",
            [int_array(ids)],
        )
        return [Locked(*row) for row in cursor.fetchall()]


class StatusWrite(NamedTuple):
    written: list  # (membership id, old, new, reasons) of the changes written
    decisions: list  # the decisions acted on: those given, the refreshed ones replaced
    gone: set  # ids of memberships decided on that were no longer active or lapsed
    refreshed: int  # how many memberships were checked under lock (evaluated again or kept)
    warned: int  # at-risk notices queued


def status_changes_write(*, decisions, on, source: str, actor, run, refresh=None):
    """Write what a run decided (``decisions``: a ``Decision`` per membership that moves or
    may be warned, from ``status_decisions``): the statuses that change, their history with
    the reasons, and an at-risk notice for each cause not warned of before. Runs in the
    caller's transaction; the emails are enqueued for after its commit. Returns a
    ``StatusWrite``.

    ``refresh(locked) -> {id: Decision or None} | None``, when given, evaluates the memberships
    ``locked`` (``Locked`` rows, read as the lock was taken; those still active or lapsed)
    again, with the facts as they are at that moment
    (None for one that now neither moves nor is warned; an id left out is no longer active
    or lapsed), or answers None when nothing was committed since the decisions were made
    (they stand). The writer locks the memberships it is about to act on (to move, or to
    warn) and calls it before it writes, so a fact committed while the run was evaluating (a
    dues payment, an approved contribution) is never overruled by the older evaluation: the
    membership is written, or warned, as the fresh evaluation says. The others are left as
    they are.
    """
    with phase("write: at-risk notices known"):
        warnings = _warnings(decisions=decisions, on=on)
    refreshed = 0
    gone: set[int] = set()
    changed = {d.membership_id for d in decisions if d.changes}
    targets = changed | {pk for pk, _cause in warnings}
    fresh = None
    if refresh is not None and targets:
        with phase("write: lock"):
            locked = _lock_memberships(targets)
        with phase("write: evaluated again under lock"):
            fresh = refresh(locked)
    if fresh is not None:
        refreshed = len(fresh)
        # A target gone meanwhile, or no longer active or lapsed (a person suspended it), is
        # left out: neither moved nor warned.
        gone = {pk for pk in targets if pk not in fresh}
        decisions = [d for d in decisions if d.membership_id not in targets] + [
            d for d in fresh.values() if d is not None
        ]
        with phase("write: at-risk notices known"):
            warnings = _warnings(
                decisions=[d for d in fresh.values() if d is not None and not d.changes], on=on
            )
    with phase("write: statuses and history"):
        written = _record_changes(
            decisions=decisions,
            on=on,
            source=source,
            actor=actor,
            run=run,
            started_at=run.started_at,
        )
    written_ids = {pk for pk, *_rest in written}
    statuses_changed_after_commit(written_ids)
    warnings = {key: text for key, text in warnings.items() if key[0] not in written_ids}
    with phase("write: at-risk notices"):
        warned = _queue_at_risk_notices(warnings=warnings)
    transaction.on_commit(enqueue_notice_sending)
    return StatusWrite(written, decisions, gone, refreshed, warned)


def enqueue_notice_sending():
    from ..tasks import send_status_notices

    send_status_notices.delay()


def membership_status_set(*, membership, status: str, actor, note: str, on=None):
    """A person sets a status (suspend for a Fair Use breach, end, reinstate).

    Recorded with who, when and why. Setting the status it already has is a no-op. An
    operational membership never admitted by the Permanent Assembly is never made active
    or lapsed by a person: reinstated after a suspension, it is pending again. Ending one
    sends ``membership_ended`` in the same transaction (governance ends the member's seats).
    """
    if status not in Membership.Status.values:
        raise DomainError(_("Unknown status."))
    if not note.strip():
        raise DomainError(_("Say why, in words the member understands."), field="note")
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status == status:
            return None
        if locked.status == Membership.Status.ENDED:
            raise DomainError(_("An ended membership can't change; make a new one."))
        never_admitted = locked.type == Membership.Type.OPERATIONAL and locked.admitted_on is None
        if (
            never_admitted
            and locked.status == Membership.Status.SUSPENDED
            and status == Membership.Status.ACTIVE
        ):
            # Suspended while it waited for the assembly: reinstated, it waits again.
            status = Membership.Status.PENDING
        elif never_admitted and status in (Membership.Status.ACTIVE, Membership.Status.LAPSED):
            raise DomainError(
                _(
                    "An operational membership becomes active only when the Permanent Assembly "
                    "adopts its admission: file the member's application with the co-op and "
                    "approve it there."
                )
            )
        change = StatusChange.objects.create(
            membership=locked,
            old_status=locked.status,
            new_status=status,
            effective_on=on,
            source=StatusChange.Source.PERSON,
            actor=actor,
            note=note,
        )
        locked.status = status
        locked.status_changed_at = change.changed_at
        if status == Membership.Status.ENDED:
            locked.ended_on = on
        locked.save(update_fields=["status", "status_changed_at", "ended_on"])
        StatusNotice.objects.create(
            membership=locked,
            kind=StatusNotice.Kind.CHANGED,
            cause=f"change:{change.pk}",
            reasons=[{"code": "note", "ok": False, "at_risk": False, "params": {"note": note}}],
        )
        transaction.on_commit(enqueue_notice_sending)
        statuses_changed_after_commit([locked.pk])
        audit_log(
            actor=actor,
            action=f"membership.membership.{status}",
            obj=locked,
            data={"from": change.old_status, "note": note},
        )
        if status == Membership.Status.ENDED:
            # Inside the transaction: governance ends the member's circle seats.
            membership_ended.send(
                sender=Membership, membership=locked, actor=actor, on=on, note=note
            )
    membership.refresh_from_db()
    return change


def membership_admit(*, membership, on, actor, note: dict, applied_on=None):
    """The Permanent Assembly adopted the admission of a pending operational membership: it
    becomes active from ``on``, recorded with the note (a ``reasons.system_note``, worded in
    the reader's language when read). Admitting it again is a no-op.
    ``applied_on``: the day the admitted application was submitted, when the membership was
    added by hand before (or after) it: its policy binds the commitment, not the day of the
    admin's add."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != Membership.Status.PENDING:
            return None
        change = StatusChange.objects.create(
            membership=locked,
            old_status=locked.status,
            new_status=Membership.Status.ACTIVE,
            effective_on=on,
            source=StatusChange.Source.APPLICATION,
            actor=actor,
            reasons=[note],
        )
        locked.status = Membership.Status.ACTIVE
        locked.status_changed_at = change.changed_at
        locked.admitted_on = on
        fields = ["status", "status_changed_at", "admitted_on"]
        if applied_on is not None and applied_on != locked.applied_on:
            locked.applied_on = applied_on
            fields.append("applied_on")
        locked.save(update_fields=fields)
        statuses_changed_after_commit([locked.pk])
        audit_log(
            actor=actor,
            action="membership.membership.admitted",
            obj=locked,
            data={"note": note["code"], "applied_on": locked.applied_on.isoformat()}
            if "applied_on" in fields
            else {"note": note["code"]},
        )
    membership.refresh_from_db()
    return change
