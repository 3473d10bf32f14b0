"""Audit: the active-status rules of DOMAIN.md at their edges, through the status job and the
dashboard (the same facts must give the same evaluation)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from freezegun import freeze_time

from membership.models import Membership, StatusChange, StatusNotice
from membership.reasons import reason_text, status_change_words
from standing.selectors import status_evaluate
from standing.services import status_recompute
from tests.factories import (
    AttendanceFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    MeetingFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)
NOW = "2026-11-24 03:00:00"


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


def at(day: datetime.date, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


LONG_AGO = D - days(500)


def operational(*, admitted_on=LONG_AGO, applied_on=None, hours="40", seat=True):
    membership = OperationalMembershipFactory(
        admitted_on=admitted_on, applied_on=applied_on or admitted_on - days(10)
    )
    total = Decimal(hours or "0")
    day = datetime.date(2026, 1, 5)
    while total > 0:
        chunk = min(total, Decimal("20"))
        LabourEntryFactory(
            member=membership.member, hours=chunk, status="approved", occurred_on=day
        )
        total -= chunk
        day += days(1)
    if seat:
        CircleRoleFactory(member=membership.member, started_on=admitted_on)
    return membership


def evaluate(membership, on=D):
    (evaluation,) = status_evaluate(Membership.objects.filter(pk=membership.pk), on=on)
    return evaluation


def codes(evaluation):
    return {r.code: r for r in evaluation.reasons}


# --- operational rule 1: the commitment deadline ---------------------------------------------


def test_day_365_after_admission_passes_and_day_366_lapses():
    membership = operational(admitted_on=D - days(365), hours="39.75")
    assert evaluate(membership).computed == "active"
    assert evaluate(membership, on=D + days(1)).computed == "lapsed"


def test_a_longer_deadline_set_after_the_application_does_not_help():
    PolicyFactory(effective_from=datetime.date(2026, 1, 1), commitment_deadline_days=730)
    membership = operational(
        admitted_on=D - days(366), applied_on=datetime.date(2025, 11, 1), hours="10"
    )
    assert evaluate(membership).computed == "lapsed"


def test_a_shorter_deadline_set_after_the_application_does_not_hurt():
    PolicyFactory(effective_from=datetime.date(2026, 1, 1), commitment_deadline_days=30)
    membership = operational(
        admitted_on=D - days(200), applied_on=datetime.date(2025, 12, 31), hours="10"
    )
    assert evaluate(membership).computed == "active"


def test_a_lower_commitment_set_after_the_application_does_not_help():
    PolicyFactory(effective_from=datetime.date(2026, 1, 1), commitment_hours=Decimal("20"))
    membership = operational(
        admitted_on=D - days(400), applied_on=datetime.date(2025, 12, 31), hours="20"
    )
    assert evaluate(membership).computed == "lapsed"


# --- operational rule 2: circles ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "ended", "active"),
    [
        (D, None, True),
        (D - days(9), D, True),
        (D - days(9), D - days(1), False),
        (D + days(1), None, False),
    ],
)
def test_a_seat_counts_on_the_days_it_covers(started, ended, active):
    membership = operational(seat=False)
    CircleRoleFactory(member=membership.member, started_on=started, ended_on=ended)
    assert (evaluate(membership).computed == "active") is active


# --- operational rule 3: attendance ------------------------------------------------------------


def test_exactly_half_passes():
    membership = operational()
    for i in range(4):
        meeting = MeetingFactory(held_on=D - days(300 - 7 * i))
        if i < 2:
            AttendanceFactory(meeting=meeting, member=membership.member)
    assert evaluate(membership).computed == "active"


# --- user rule 1: dues ---------------------------------------------------------------------------


def user_membership(**kwargs):
    return MembershipFactory(**kwargs)


def test_the_last_day_of_grace_passes_and_the_day_after_lapses():
    membership = user_membership()
    DuesInvoiceFactory(membership=membership, period_start=D - days(30))
    assert evaluate(membership).computed == "active"
    assert evaluate(membership, on=D + days(1)).computed == "lapsed"


def test_a_partial_payment_still_lapses_and_names_what_is_outstanding():
    membership = user_membership()
    invoice = DuesInvoiceFactory(membership=membership, period_start=D - days(31))
    DuesPaymentFactory(invoice=invoice, amount=Decimal("4.00"))
    evaluation = evaluate(membership)
    assert evaluation.computed == "lapsed"
    assert codes(evaluation)["dues_overdue"].params["amount"] == "6.00"


def test_a_refunded_payment_opens_the_invoice_again():
    from contributions.models import DuesRefund

    membership = user_membership()
    invoice = DuesInvoiceFactory(membership=membership, period_start=D - days(31))
    payment = DuesPaymentFactory(invoice=invoice)
    assert evaluate(membership).computed == "active"
    DuesRefund.objects.create(
        payment=payment, amount=payment.amount, currency="EUR", refunded_on=D - days(1), sequence=1
    )
    assert evaluate(membership).computed == "lapsed"


# --- user rule 2: terms ------------------------------------------------------------------------


def test_a_version_published_exactly_30_days_before_is_still_waiting():
    membership = user_membership()
    TermsVersionFactory(version="2.0", published_at=at(D - days(30), 23))
    terms = codes(evaluate(membership))
    assert terms["terms_pending"].ok
    TermsVersionFactory(version="1.0", published_at=at(D - days(31), 0))
    assert "terms_missing" in codes(evaluate(membership))


def test_an_older_version_past_its_period_lapses_even_when_a_newer_one_waits():
    membership = user_membership()
    TermsVersionFactory(version="1.0", published_at=at(D - days(90)))
    TermsVersionFactory(version="2.0", published_at=at(D - days(5)))
    evaluation = evaluate(membership)
    assert evaluation.computed == "lapsed"


def test_fair_use_versions_count_too():
    membership = user_membership()
    tou = TermsVersionFactory(version="1.0", published_at=at(D - days(90)))
    TermsAcceptanceFactory(member=membership.member, terms_version=tou)
    TermsVersionFactory(document="fair_use", version="1.0", published_at=at(D - days(90)))
    assert "terms_missing" in codes(evaluate(membership))


# --- reasons are stored as codes, worded in the reader's language --------------------------------


def test_a_lapse_recorded_by_a_run_in_german_reads_in_english_for_an_english_reader():
    membership = user_membership()
    TermsVersionFactory(version="1.0", published_at=at(D - days(90)))
    with translation.override("de"):
        status_recompute(on=D, source="on_demand")
    change = StatusChange.objects.get(membership=membership)
    with translation.override("en"):
        assert status_change_words(change) == [
            "Terms of Use 1.0 is not accepted; it had to be accepted by Sep 25, 2026."
        ]


def test_a_terms_warning_is_given_once_whatever_the_language_of_the_run():
    membership = user_membership()
    TermsVersionFactory(version="2.0", published_at=at(D - days(5)))
    with translation.override("de"):
        status_recompute(on=D, source="on_demand")
    status_recompute(on=D + days(1), source="nightly")
    assert StatusNotice.objects.filter(membership=membership, kind="at_risk").count() == 1
    (notice,) = StatusNotice.objects.filter(membership=membership)
    with translation.override("en"):
        assert reason_text(notice.reasons[1]) == "Please accept Terms of Use 2.0 by Dec 19, 2026."
