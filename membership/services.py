"""Writes of the membership app. Each takes the acting user and writes an audit entry."""

import datetime
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log

from .models import Policy


def policy_create(*, actor, effective_from: datetime.date, **values) -> Policy:
    """Add a policy. It may not start in the past: people already bound keep their numbers."""
    if effective_from < timezone.localdate() and Policy.objects.exists():
        raise ValidationError(
            _("A new policy can't start in the past; choose today or a later date.")
        )
    with transaction.atomic():
        policy = Policy(effective_from=effective_from, created_by=actor, **values)
        policy.full_clean()
        policy.save()
        audit_log(
            actor=actor,
            action="membership.policy.created",
            obj=policy,
            data={"effective_from": effective_from.isoformat()},
        )
    return policy


# --- Issue 3: members, logins and memberships made from an application -------------------------


class MembershipError(Exception):
    """A membership can't be created as asked (the message is for people)."""


def member_get_or_create(
    *, kind: str, name: str, organisation_name: str, email: str, country, language: str, actor
):
    """The member known by ``email`` (any case), or a new one with these details.

    Returns ``(member, created)``. An existing member keeps its details: the application's
    copy does not overwrite what the member may have corrected since.
    """
    from .models import Member

    member = Member.objects.filter(email__iexact=email).order_by("pk").first()
    if member is not None:
        return member, False
    member = Member(
        kind=kind,
        name=name,
        organisation_name=organisation_name if kind == Member.Kind.ORGANISATION else "",
        email=email.lower(),
        country=country,
        language=language,
    )
    member.full_clean()
    member.save()
    audit_log(actor=actor, action="membership.member.created", obj=member)
    return member, True


def contact_login_ensure(*, member, name: str, language: str, actor):
    """Make sure ``member`` has a login for its email, as a contact person.

    Returns ``(user, needs_password)``: ``needs_password`` is true while the login has no
    usable password (the caller sends the invitation to set one). The address is marked
    verified: the applicant just used it to receive our mail.
    """
    from allauth.account.models import EmailAddress

    from meetcoop.users.models import User

    from .models import MemberContact

    email = member.email.lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, name=name, language=language)
        user.set_unusable_password()
        user.save()
        audit_log(actor=actor, action="users.user.invited", obj=user)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if not MemberContact.objects.filter(member=member, user=user).exists():
        MemberContact.objects.create(
            member=member,
            user=user,
            is_primary=not MemberContact.objects.filter(member=member, is_primary=True).exists(),
        )
    return user, not user.has_usable_password()


def membership_create(
    *,
    member,
    type: str,
    steward,
    service_level=None,
    status: str,
    applied_on: datetime.date | None,
    admitted_on: datetime.date | None,
    actor,
):
    """Give ``member`` a membership of ``type``; refused when it already holds an open one."""
    from .models import Membership

    if Membership.objects.filter(member=member, type=type).exclude(status="ended").exists():
        raise MembershipError(
            _("%(member)s already holds a %(type)s membership.")
            % {"member": member, "type": Membership.Type(type).label}
        )
    membership = Membership(
        member=member,
        type=type,
        steward=steward,
        service_level=service_level,
        status=status,
        applied_on=applied_on,
        admitted_on=admitted_on,
        status_changed_at=timezone.now(),
    )
    membership.full_clean(validate_constraints=False)
    membership.save()
    audit_log(
        actor=actor,
        action="membership.membership.created",
        obj=membership,
        data={"type": type, "steward": steward.pk, "status": status},
    )
    return membership


def terms_acceptances_record(*, member, versions, accepted_at, accepted_by=None) -> None:
    """Record that ``member`` accepted ``versions`` at ``accepted_at`` (once per version)."""
    from .models import TermsAcceptance

    for version in versions:
        TermsAcceptance.objects.get_or_create(
            member=member,
            terms_version=version,
            defaults={"accepted_at": accepted_at, "accepted_by": accepted_by},
        )


# --- active status ---------------------------------------------------------------------------

STATUS_LOCK = "membership-status-recompute"
WRITE_CHUNK = 2000


class StatusError(Exception):
    """A status change that is not allowed (the message is for people)."""


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
    from django.db import connection

    from meetcoop.core.db import int_array

    as_text = _ReasonsText()
    written = []
    with connection.cursor() as cursor:
        for (old, new), group in by_move.items():
            distinct: dict[str, int] = {}
            positions = [distinct.setdefault(as_text(e.why()), len(distinct)) for e in group]
            ids = int_array(e.membership_id for e in group)
            cursor.execute(
                """
                WITH moved AS (
                    UPDATE membership_membership
                       SET status = %(new)s, status_changed_at = %(now)s
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


def _move_statuses(by_move, *, now, started_at) -> list[tuple[int, str, str]]:
    """The same with the ORM, a chunk at a time (SQLite)."""
    from .models import Membership

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
                    status=new, status_changed_at=now
                )
                moved.extend((pk, old, new) for pk in locked)
    return moved


def _record_changes(*, evaluations, on, source, actor, run, started_at) -> list[tuple]:
    """Write the changed statuses and their history in the current transaction.

    Only rows still in the status the evaluation read, and not changed by anyone since the
    run started, are written (a renewal saved meanwhile is never overwritten). Returns the
    (membership id, old, new, reasons) written.
    """
    from django.db import connection

    from meetcoop.core.db import bulk_insert

    from .models import StatusChange

    now = timezone.now()
    by_move: dict[tuple[str, str], list] = {}
    for evaluation in evaluations:
        if evaluation.changes:
            by_move.setdefault((evaluation.status, evaluation.new_status), []).append(evaluation)
    if connection.vendor == "postgresql":
        return _write_changes_postgresql(
            by_move, now=now, started_at=started_at, on=on, source=source, actor=actor, run=run
        )
    moved = _move_statuses(by_move, now=now, started_at=started_at)
    written = [
        (pk, old, new, by_id[pk].why_json())
        for by_id in [{e.membership_id: e for group in by_move.values() for e in group}]
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


def _queue_at_risk_notices(*, evaluations, written) -> int:
    """Queue an at-risk email for each cause not warned of before (the members whose status
    changed get the change's email instead, sent from the change rows themselves)."""
    from django.db import connection

    from meetcoop.core.db import bulk_insert

    from .models import StatusNotice

    changed = {pk for pk, *_rest in written}
    at_risk = {}
    for evaluation in evaluations:
        if evaluation.new_status != "active" or evaluation.membership_id in changed:
            continue
        for reason in evaluation.at_risk:
            at_risk[(evaluation.membership_id, reason.cause)] = evaluation
    if not at_risk:
        return 0
    known = set(
        StatusNotice.objects.filter(
            kind=StatusNotice.Kind.AT_RISK, cause__in={cause for _pk, cause in at_risk}
        ).values_list("membership_id", "cause")
    )
    now = timezone.now()
    # PostgreSQL's COPY takes the JSON as text: each distinct list of reasons encoded once.
    encode = _ReasonsText() if connection.vendor == "postgresql" else None
    return bulk_insert(
        StatusNotice,
        NOTICE_FIELDS,
        [
            (
                pk,
                StatusNotice.Kind.AT_RISK,
                cause,
                encode(evaluation.reasons) if encode else evaluation.reasons_json(),
                now,
                None,
            )
            for (pk, cause), evaluation in at_risk.items()
            if (pk, cause) not in known
        ],
    )


def status_recompute(
    *,
    on: datetime.date,
    source: str = "nightly",
    actor=None,
    dry_run: bool = False,
    memberships=None,
):
    """Recompute active/lapsed for the memberships (all active and lapsed ones by default).

    Returns ``(run, evaluations)``. One run works at a time: a second one started meanwhile is
    recorded as skipped and returns at once. All changes of a run are written in one
    transaction, so a run that dies leaves nothing half-applied, and a second run on the same
    day finds nothing left to change.
    """
    import time

    from meetcoop.core.db import gc_paused
    from meetcoop.core.locks import try_lock

    from .models import Membership, StatusRun
    from .selectors import status_evaluate

    if memberships is None:
        memberships = Membership.objects.filter(
            status__in=[Membership.Status.ACTIVE, Membership.Status.LAPSED]
        )
    with try_lock(STATUS_LOCK) as acquired:
        if not acquired:
            run = StatusRun.objects.create(
                on=on,
                source=source,
                dry_run=dry_run,
                state=StatusRun.State.SKIPPED,
                finished_at=timezone.now(),
                seconds=0,
            )
            return run, []
        run = StatusRun.objects.create(
            on=on, source=source, dry_run=dry_run, state=StatusRun.State.RUNNING
        )
        clock = time.perf_counter()
        try:
            with gc_paused():
                evaluations = status_evaluate(memberships, on=on)
            changes = []
            if not dry_run:
                with gc_paused(), transaction.atomic():
                    changes = _record_changes(
                        evaluations=evaluations,
                        on=on,
                        source=source,
                        actor=actor,
                        run=run,
                        started_at=run.started_at,
                    )
                    _queue_at_risk_notices(evaluations=evaluations, written=changes)
                    transaction.on_commit(_enqueue_notice_sending)
        except Exception as exc:
            run.state = StatusRun.State.FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            run.seconds = Decimal(f"{time.perf_counter() - clock:.3f}")
            run.save()
            raise
        if dry_run:
            moved = [e for e in evaluations if e.changes]
            became_active = sum(1 for e in moved if e.new_status == "active")
            lapsed = len(moved) - became_active
        else:
            became_active = sum(1 for _pk, _old, new, _r in changes if new == "active")
            lapsed = sum(1 for _pk, _old, new, _r in changes if new == "lapsed")
        run.state = StatusRun.State.FINISHED
        run.evaluated = len(evaluations)
        run.became_active = became_active
        run.lapsed = lapsed
        run.unchanged = len(evaluations) - became_active - lapsed
        run.finished_at = timezone.now()
        run.seconds = Decimal(f"{time.perf_counter() - clock:.3f}")
        run.save()
    return run, evaluations


def _enqueue_notice_sending():
    from .tasks import send_status_notices

    send_status_notices.delay()


def membership_status_set(*, membership, status: str, actor, note: str, on=None):
    """A person sets a status (suspend for a Fair Use breach, end, reinstate).

    Recorded with who, when and why. Setting the status it already has is a no-op.
    """
    from .models import Membership, StatusChange, StatusNotice

    if status not in Membership.Status.values:
        raise StatusError(_("Unknown status."))
    if not note.strip():
        raise StatusError(_("Say why, in words the member understands."))
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status == status:
            return None
        if locked.status == Membership.Status.ENDED:
            raise StatusError(_("An ended membership can't change; make a new one."))
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
        transaction.on_commit(_enqueue_notice_sending)
        audit_log(
            actor=actor,
            action=f"membership.membership.{status}",
            obj=locked,
            data={"from": change.old_status, "note": note},
        )
    membership.refresh_from_db()
    return change


def _send_status_email(*, membership, kind: str, reasons: list[dict]) -> None:
    """One status email, in the member's language."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    from .reasons import reason_advice, reason_text

    member = membership.member
    with translation.override(member.language or settings.LANGUAGE_CODE):
        context = {
            "kind": kind,
            "member": member,
            "membership": membership,
            "reasons": [{"text": reason_text(r), "advice": reason_advice(r), **r} for r in reasons],
            "site_name": settings.SITE_NAME,
            "dashboard_url": _absolute_url("membership:dashboard"),
        }
        subject = render_to_string("membership/email/status_subject.txt", context).strip()
        body = render_to_string("membership/email/status_body.txt", context)
    send_mail(subject, body, None, [member.email])


def _absolute_url(name: str) -> str:
    from allauth.utils import build_absolute_uri
    from django.urls import reverse

    return build_absolute_uri(None, reverse(name))


def status_notices_send(*, limit: int = 500) -> int:
    """Send the status emails not sent yet: to each member a run changed (from the run's
    change rows, past its high-water mark), then the queued notices (at risk, changes made by
    people). Safe to run twice or concurrently: each email is sent while its run or notice row
    is locked, and marked sent in the same short transaction."""
    from django.db.models import F

    from .models import StatusChange, StatusNotice, StatusRun

    sent = 0
    runs = (
        StatusRun.objects.filter(
            state=StatusRun.State.FINISHED, dry_run=False, changes__id__gt=F("notified_through")
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    for run_id in list(runs):
        while sent < limit:
            with transaction.atomic():
                run = (
                    StatusRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
                )
                if run is None:
                    break
                change = (
                    StatusChange.objects.filter(run_id=run_id, pk__gt=run.notified_through)
                    .select_related("membership__member")
                    .order_by("pk")
                    .first()
                )
                if change is None:
                    break
                _send_status_email(
                    membership=change.membership, kind="changed", reasons=change.reasons
                )
                run.notified_through = change.pk
                run.save(update_fields=["notified_through"])
                sent += 1
    pending = StatusNotice.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending[: max(limit - sent, 0)]):
        with transaction.atomic():
            notice = (
                StatusNotice.objects.select_for_update(skip_locked=True)
                .select_related("membership__member")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if notice is None:
                continue
            _send_status_email(
                membership=notice.membership, kind=notice.kind, reasons=notice.reasons
            )
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
            sent += 1
    return sent


def terms_accept(*, members, version, actor) -> int:
    """The user accepts ``version`` for each member it acts for. Accepting twice is a no-op."""
    from .models import TermsAcceptance

    created = 0
    with transaction.atomic():
        for member in members:
            _acceptance, was_created = TermsAcceptance.objects.get_or_create(
                member=member, terms_version=version, defaults={"accepted_by": actor}
            )
            if was_created:
                created += 1
                audit_log(
                    actor=actor,
                    action="membership.terms.accepted",
                    obj=member,
                    data={"terms_version": version.pk},
                )
    return created
