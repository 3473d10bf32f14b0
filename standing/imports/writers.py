"""A checked import written set-based, in the order rows refer to each other, inside the
caller's transaction: one INSERT (on PostgreSQL one ``COPY``) per table.

On PostgreSQL the new rows' keys are taken from their tables' sequences first (one query per
table), so that the rows go in by ``COPY`` with their keys already known; elsewhere
``bulk_create`` returns them. No model's ``save()`` runs and no signal is sent: an imported
membership issues no invoice and sends no email, it is history.
"""

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import LedgerEntry
from governance.models import Attendance, CircleRole, Meeting
from meetcoop.core.db import bulk_insert
from meetcoop.users.models import User
from membership.models import (
    Member,
    MemberContact,
    Membership,
    StatusChange,
    TermsAcceptance,
)

from ..models import ImportedRecord
from .checks import Plan, _midday

BATCH = 5000


def _insert(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` (values in the order of ``fields``); return their keys in order."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        bulk_insert(model, ["id", *fields], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids
    objects = model._base_manager.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BATCH
    )
    return [obj.pk for obj in objects]


def _json(value):
    """A JSON field's value as ``bulk_insert`` takes it (JSON text for ``COPY``)."""
    if connection.vendor == "postgresql":
        import json

        return json.dumps(value)
    return value


def write(plan: Plan, *, run, actor, today: datetime.date) -> None:
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    pks: dict[str, dict[str, int]] = {kind: dict(ids) for kind, ids in plan.known.items()}
    records: list[tuple] = []

    def written(kind, rows, ids):
        new = pks[kind]
        for row, pk in zip(rows, ids, strict=True):
            new[row["_id"]] = pk
            records.append((kind, row["_id"], pk, run.pk))

    members = plan.rows["members"]
    written(
        "members",
        members,
        _insert(
            Member,
            [
                "kind",
                "name",
                "organisation_name",
                "email",
                "language",
                "country",
                "postal_address",
                "created_at",
            ],
            [
                (
                    r["kind"],
                    r["name"],
                    r["organisation_name"],
                    r["email"],
                    r["language"],
                    r["country"],
                    r["postal_address"],
                    now,
                )
                for r in members
            ],
        ),
    )
    member_pk = pks["members"]

    # Logins for the contacts: no usable password (they choose one with "Forgot your
    # password?"), their address verified, as for a member admitted by the co-op.
    emails = list(plan.new_users)
    user_ids = _insert(
        User,
        [
            "email",
            "name",
            "language",
            "password",
            "is_superuser",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        [
            (email, info["name"], info["language"], make_password(None), False, False, True, now)
            for email, info in plan.new_users.items()
        ],
    )
    user_pk = {**plan.existing_users, **dict(zip(emails, user_ids, strict=True))}
    _insert(
        EmailAddress,
        ["user_id", "email", "verified", "primary"],
        [(pk, email, True, True) for email, pk in zip(emails, user_ids, strict=True)],
    )
    contacts = plan.rows["contacts"]
    with_main = {r["member"] for r in contacts if r["is_primary"]}
    primary_rows = []
    for r in contacts:
        primary = r["is_primary"]
        if (
            not primary
            and r["member"] not in with_main
            and r["member"] not in plan.known["members"]
        ):
            primary = True  # a new member's first contact is its main one unless one is named
            with_main.add(r["member"])
        primary_rows.append((member_pk[r["member"]], user_pk[r["email"]], r["role"], primary))
    written(
        "contacts",
        contacts,
        _insert(MemberContact, ["member_id", "user_id", "role", "is_primary"], primary_rows),
    )

    memberships = plan.rows["memberships"]
    membership_ids = _insert(
        Membership,
        [
            "member_id",
            "type",
            "status",
            "steward_id",
            "service_level_id",
            "applied_on",
            "admitted_on",
            "ended_on",
            "status_changed_at",
            "created_at",
        ],
        [
            (
                member_pk[r["member"]],
                r["type"],
                r["status"],
                r["steward_id"],
                r["service_level_id"],
                r["applied_on"],
                r["admitted_on"],
                r["ended_on"],
                _midday(_status_day(r, today)),
                now,
            )
            for r in memberships
        ],
    )
    written("memberships", memberships, membership_ids)
    # The history starts with the status the records give, said to be imported.
    note = _("Imported from the co-op's records.")
    _insert(
        StatusChange,
        [
            "membership_id",
            "old_status",
            "new_status",
            "effective_on",
            "changed_at",
            "source",
            "actor_id",
            "reasons",
            "note",
        ],
        [
            (
                pk,
                Membership.Status.PENDING,
                r["status"],
                _status_day(r, today),
                now,
                StatusChange.Source.PERSON,
                actor_id,
                _json([]),
                note,
            )
            for r, pk in zip(memberships, membership_ids, strict=True)
            if r["status"] != Membership.Status.PENDING
        ],
    )

    terms = plan.rows["terms"]
    written(
        "terms",
        terms,
        _insert(
            TermsAcceptance,
            ["member_id", "terms_version_id", "accepted_at", "accepted_by_id"],
            [
                (member_pk[r["member"]], r["terms_version_id"], r["accepted_at"], None)
                for r in terms
            ],
        ),
    )

    seats = plan.rows["seats"]
    written(
        "seats",
        seats,
        _insert(
            CircleRole,
            ["member_id", "circle_id", "role", "started_on", "ended_on"],
            [
                (member_pk[r["member"]], r["circle_id"], r["role"], r["started_on"], r["ended_on"])
                for r in seats
            ],
        ),
    )

    meetings = plan.rows["meetings"]
    written(
        "meetings",
        meetings,
        _insert(
            Meeting,
            [
                "kind",
                "circle_id",
                "title",
                "held_on",
                "agenda",
                "minutes_url",
                "attendance_recorded_at",
                "attendance_recorded_by_id",
                "created_at",
            ],
            [
                (
                    r["kind"],
                    r["circle_id"],
                    r["title"],
                    r["held_on"],
                    "",
                    r["minutes_url"],
                    now,  # the attendance the import gives is the meeting's record
                    actor_id,
                    now,
                )
                for r in meetings
            ],
        ),
    )
    meeting_pk = pks["meetings"]

    attendance = plan.rows["attendance"]
    written(
        "attendance",
        attendance,
        _insert(
            Attendance,
            ["meeting_id", "member_id", "recorded_at", "recorded_by_id"],
            [(meeting_pk[r["meeting"]], member_pk[r["member"]], now, actor_id) for r in attendance],
        ),
    )

    entries = plan.rows["contributions"]
    written(
        "contributions",
        entries,
        _insert(
            LedgerEntry,
            [
                "member_id",
                "kind",
                "occurred_on",
                "description",
                "amount",
                "currency",
                "eur_rate",
                "eur_value",
                "hours",
                "circle_id",
                "status",
                "logged_by_id",
                "logged_at",
                "decided_by_id",
                "decided_at",
                "decision_note",
                "reason",
                "source_key",
                "paid_work",
                "description_code",
                "description_params",
                "reason_code",
                "reason_params",
            ],
            [
                (
                    member_pk[r["member"]],
                    r["kind"],
                    r["occurred_on"],
                    r["description"],
                    r["amount"],
                    r["currency"],
                    r["eur_rate"],
                    r["eur_value"],
                    r["hours"],
                    r["circle_id"],
                    LedgerEntry.Status.APPROVED,
                    actor_id,
                    now,
                    r["decided_by_id"] or actor_id,
                    r["decided_at"],
                    "",
                    "",
                    "",
                    False,
                    r.get("description_code", ""),
                    _json({}),
                    "",
                    _json({}),
                )
                for r in entries
            ],
        ),
    )

    bulk_insert(ImportedRecord, ["kind", "external_id", "object_id", "run_id"], records)


def _status_day(row: dict, today: datetime.date) -> datetime.date:
    return row["ended_on"] or row["admitted_on"] or row["applied_on"] or today
