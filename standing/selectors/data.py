"""A member's own data, to download."""

import datetime
import functools
import operator

from django.db.models import F, Q

from contributions.models import (
    DuesInvoice,
    DuesPayment,
    DuesRefund,
    LedgerEntry,
    RevenueReport,
)
from contributions.reasons import system_words
from governance.models import Attendance, CircleRole, PublicListing, StanceRecord
from membership.models import Membership, StatusChange, TermsAcceptance
from membership.reasons import reason_text
from membership.selectors import members_of_user
from resellers.models import Application
from resellers.reasons import decision_reason_words

from ..models import ForumAccount, ServiceSignIn


def _ledger_row_words(row: dict) -> dict:
    """A ledger row with what the system wrote (a reversal's description, a provider's
    refund) in the reader's language, and what a person typed as typed."""
    row["description"] = system_words(
        row.pop("description_code"), row.pop("description_params"), row["description"]
    )
    row["reason"] = system_words(row.pop("reason_code"), row.pop("reason_params"), row["reason"])
    return row


def member_data(user, *, now: datetime.datetime) -> dict:
    """Everything the co-op holds about ``user`` and the members it speaks for (itself, or the
    organisations it is a contact of), as plain values for a JSON download: the account, each
    member with its memberships and their status history (reasons in words and as codes),
    terms accepted, ledger, dues, circle seats, attendance, stances, the public listing and
    applications, and, for
    a reseller, its revenue reports; with the account, its sign-ins to the co-op's services
    and to the forum. A fixed number of queries, whatever the amounts.

    Who decided or recorded each item is left out: that is the co-op's data about its people.
    """
    members = list(
        members_of_user(user)
        .order_by("pk")
        .values(
            "id", "kind", "name", "organisation_name", "email", "country", "language", "created_at"
        )
    )
    ids = [m["id"] for m in members]
    emails = {m["email"].lower() for m in members} | {user.email.lower()}

    def by_member(rows, key="member_id"):
        grouped: dict[int, list] = {pk: [] for pk in ids}
        for row in rows:
            grouped[row.pop(key)].append(row)
        return grouped

    memberships = list(
        Membership.objects.filter(member_id__in=ids)
        .order_by("pk")
        .values(
            "id",
            "member_id",
            "type",
            "status",
            "applied_on",
            "admitted_on",
            "ended_on",
            "created_at",
            steward_name=F("steward__name"),
            service_level_name=F("service_level__name"),
        )
    )
    changes: dict[int, list] = {m["id"]: [] for m in memberships}
    for change in (
        StatusChange.objects.filter(membership__member_id__in=ids)
        .order_by("changed_at", "pk")
        .values(
            "membership_id",
            "old_status",
            "new_status",
            "effective_on",
            "changed_at",
            "source",
            "reasons",
            "note",
        )
    ):
        change["reasons"] = [
            {"code": r.get("code"), "ok": r.get("ok"), "text": reason_text(r)}
            for r in change["reasons"]
        ]
        changes[change.pop("membership_id")].append(change)
    invoices = list(
        DuesInvoice.objects.filter(membership__member_id__in=ids)
        .order_by("due_on", "pk")
        .values("id", "membership_id", "period_start", "period_end", "amount", "currency", "due_on")
    )
    # A payment's refunds (money given back, or the payment moved to another invoice) with
    # the reason the treasurer gave.
    refunds: dict[int, list] = {}
    for refund in (
        DuesRefund.objects.filter(payment__invoice__membership__member_id__in=ids)
        .order_by("refunded_on", "pk")
        .values(
            "payment_id",
            "amount",
            "currency",
            "refunded_on",
            "reason",
            "reason_code",
            "reason_params",
        )
    ):  # a reason the system gave, in the reader's language
        refund["reason"] = system_words(
            refund.pop("reason_code"), refund.pop("reason_params"), refund["reason"]
        )
        refunds.setdefault(refund.pop("payment_id"), []).append(refund)
    payments: dict[int, list] = {i["id"]: [] for i in invoices}
    for payment in (
        DuesPayment.objects.filter(invoice__membership__member_id__in=ids)
        .order_by("paid_on", "pk")
        .values("id", "invoice_id", "amount", "currency", "paid_on", "note")
    ):
        payment["refunds"] = refunds.get(payment.pop("id"), [])
        payments[payment.pop("invoice_id")].append(payment)
    dues: dict[int, list] = {m["id"]: [] for m in memberships}
    for invoice in invoices:
        invoice["payments"] = payments[invoice.pop("id")]
        dues[invoice.pop("membership_id")].append(invoice)
    for membership in memberships:
        membership["status_history"] = changes[membership["id"]]
        membership["dues_invoices"] = dues[membership.pop("id")]

    grouped = {
        "memberships": by_member(memberships),
        "terms_accepted": by_member(
            TermsAcceptance.objects.filter(member_id__in=ids)
            .order_by("accepted_at", "pk")
            .values(
                "member_id",
                "accepted_at",
                document=F("terms_version__document"),
                version=F("terms_version__version"),
            )
        ),
        "ledger": by_member(
            map(
                _ledger_row_words,
                LedgerEntry.objects.filter(member_id__in=ids)
                .order_by("occurred_on", "pk")
                .values(
                    "id",
                    "member_id",
                    "kind",
                    "occurred_on",
                    "description",
                    "amount",
                    "currency",
                    "eur_rate",
                    "eur_value",
                    "hours",
                    "status",
                    "logged_at",
                    "decided_at",
                    "decision_note",
                    "reverses_id",
                    "reason",
                    "description_code",
                    "description_params",
                    "reason_code",
                    "reason_params",
                    circle_name=F("circle__name"),
                ),
            )
        ),
        "circle_seats": by_member(
            CircleRole.objects.filter(member_id__in=ids)
            .order_by("started_on", "pk")
            .values("member_id", "role", "started_on", "ended_on", circle_name=F("circle__name"))
        ),
        "attendance": by_member(
            Attendance.objects.filter(member_id__in=ids)
            .order_by("meeting__held_on", "pk")
            .values(
                "member_id",
                meeting_title=F("meeting__title"),
                held_on=F("meeting__held_on"),
                meeting_kind=F("meeting__kind"),
            )
        ),
        "public_listing": by_member(
            PublicListing.objects.filter(member_id__in=ids).values(
                "member_id", "listed", "display_name", "website", "languages", "offer", "updated_at"
            )
        ),
        "stances": by_member(
            StanceRecord.objects.filter(voter__member_id__in=ids)
            .order_by("cast_at", "pk")
            .values(
                "stance",
                "reason",
                "cast_at",
                member_id=F("voter__member_id"),
                proposal_title=F("voter__proposal__title"),
            )
        ),
        "revenue_reports": by_member(
            RevenueReport.objects.filter(steward__member_id__in=ids)
            .order_by("quarter_start", "pk")
            .values(
                "quarter_start",
                "quarter_end",
                "revenue",
                "currency",
                "revenue_eur",
                "share_percent",
                "share_eur",
                "due_on",
                "reported_at",
                member_id=F("steward__member_id"),
            )
        ),
    }
    applications = list(
        Application.objects.filter(
            functools.reduce(
                operator.or_, [Q(email__iexact=email) for email in emails], Q(member_id__in=ids)
            )
        )
        .order_by("submitted_at", "pk")
        .values(
            "status",
            "submitted_at",
            "kind",
            "name",
            "organisation_name",
            "email",
            "country",
            "language",
            "type",
            "pledge_money",
            "pledge_hours",
            "pledge_resources_value",
            "pledge_resources_description",
            "statement",
            "decided_at",
            "decision_reason",
            "decision_reason_code",
            "decision_reason_params",
            steward_name=F("steward__name"),
            service_level_name=F("service_level__name"),
        )
    )
    for application in applications:  # a reason the system gave, in the reader's language
        application["decision_reason"] = decision_reason_words(
            application.pop("decision_reason_code"),
            application.pop("decision_reason_params"),
            application["decision_reason"],
        )
    forum = (
        ForumAccount.objects.filter(user=user)
        .values("first_signed_in_at", "last_signed_in_at")
        .first()
    )
    return {
        "exported_at": now,
        "account": {
            "email": user.email,
            "name": getattr(user, "name", ""),
            "language": getattr(user, "language", ""),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            # The co-op's services the login signed in to (each sign-in) and the forum.
            "service_sign_ins": list(
                ServiceSignIn.objects.filter(user=user)
                .order_by("at", "pk")
                .values(
                    "at",
                    service_name=F("service__application__name"),
                    steward_name=F("service__steward__name"),
                )
            ),
            "forum": forum,
        },
        "members": [
            {**member, **{part: rows[member["id"]] for part, rows in grouped.items()}}
            for member in members
        ],
        "applications": applications,
    }
