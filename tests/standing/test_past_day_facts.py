"""Evaluating a day already past (``recompute_status --date``) reads the facts as that day
knew them: what was accepted, reported, decided or paid later does not count for it."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from membership.models import Membership
from standing.selectors import status_evaluate
from tests.factories import (
    CircleRoleFactory,
    LabourEntryFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    RevenueReportFactory,
    StewardFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

PAST = datetime.date(2026, 6, 15)
TODAY = "2026-11-24 03:00:00"


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def failing(membership, on=PAST) -> list[str]:
    (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    return [reason.code for reason in evaluation.reasons if not reason.ok]


def _terms_accepted_on(day: datetime.date):
    """A user membership whose only terms (published a year before ``PAST``) were accepted
    on ``day``."""
    version = TermsVersionFactory(published_at=at(PAST - datetime.timedelta(days=365)))
    membership = MembershipFactory()
    TermsAcceptanceFactory(member=membership.member, terms_version=version, accepted_at=at(day))
    return membership


@freeze_time(TODAY)
def test_terms_accepted_after_the_past_day_do_not_count_for_it():
    late = _terms_accepted_on(PAST + datetime.timedelta(days=1))
    assert failing(late) == ["terms_missing"]
    assert failing(late, on=PAST + datetime.timedelta(days=1)) == []


@freeze_time(TODAY)
def test_terms_accepted_on_the_past_day_itself_count_for_it():
    membership = MembershipFactory()
    version = TermsVersionFactory(published_at=at(PAST - datetime.timedelta(days=365)))
    TermsAcceptanceFactory(
        member=membership.member, terms_version=version, accepted_at=at(PAST, hour=23)
    )
    assert failing(membership) == []


@freeze_time(TODAY)
def test_the_command_for_a_past_day_counts_no_later_acceptance():
    late = _terms_accepted_on(PAST + datetime.timedelta(days=30))
    out = StringIO()
    call_command("recompute_status", "--date", PAST.isoformat(), "--dry-run", stdout=out)
    assert f"{late.member.email} (user): active -> lapsed." in out.getvalue()
    assert "Terms of Use" in out.getvalue()


def _reseller():
    """An operational member, its commitment met and seated, that resells from 2026-01-01:
    its first quarter's report was due on 2026-04-30."""
    membership = OperationalMembershipFactory(
        admitted_on=datetime.date(2026, 1, 1), applied_on=datetime.date(2025, 12, 20)
    )
    LabourEntryFactory(
        member=membership.member,
        hours=Decimal("20"),
        status="approved",
        occurred_on=datetime.date(2026, 1, 5),
        decided_at=at(datetime.date(2026, 1, 6)),
    )
    LabourEntryFactory(
        member=membership.member,
        hours=Decimal("20"),
        status="approved",
        occurred_on=datetime.date(2026, 1, 6),
        decided_at=at(datetime.date(2026, 1, 7)),
    )
    CircleRoleFactory(member=membership.member, started_on=datetime.date(2026, 1, 1))
    return membership, StewardFactory(member=membership.member)


@freeze_time(TODAY)
def test_a_revenue_report_sent_after_the_past_day_was_missing_on_it():
    membership, steward = _reseller()
    RevenueReportFactory(
        steward=steward,
        quarter_start=datetime.date(2026, 1, 1),
        quarter_end=datetime.date(2026, 3, 31),
        due_on=datetime.date(2026, 4, 30),
        share_eur=Decimal("0.00"),
        reported_at=at(PAST + datetime.timedelta(days=1)),
    )
    RevenueReportFactory(
        steward=steward,
        quarter_start=datetime.date(2026, 4, 1),
        quarter_end=datetime.date(2026, 6, 30),
        due_on=datetime.date(2026, 7, 30),
        share_eur=Decimal("0.00"),
        reported_at=at(datetime.date(2026, 7, 1)),
    )
    assert failing(membership) == ["reseller_overdue"]
    assert failing(membership, on=PAST + datetime.timedelta(days=1)) == []
