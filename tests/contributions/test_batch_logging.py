"""Logging the same work for many members costs the same number of queries as for a few."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contributions.models import LedgerEntry
from contributions.services import labour_log_many
from meetcoop.core.models import AuditEntry
from tests.factories import CircleFactory, CircleRoleFactory, MemberContactFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

DAY = datetime.date(2026, 3, 2)


def _circle_with(n):
    circle = CircleFactory()
    coordinator = MemberContactFactory()
    CircleRoleFactory(circle=circle, member=coordinator.member, role="coordinator", started_on=DAY)
    members = [CircleRoleFactory(circle=circle, started_on=DAY).member for _ in range(n)]
    return circle, coordinator.user, members


def _log(circle, actor, members):
    with CaptureQueriesContext(connection) as queries:
        entries = labour_log_many(
            circle=circle,
            worked_on=DAY,
            description="Moved the servers",
            hours_by_member={m: Decimal("2") for m in members},
            actor=actor,
            on=DAY,
        )
    return entries, len(queries.captured_queries)


def test_batch_logging_is_a_fixed_number_of_queries():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(LedgerEntry)  # cached for the process, as in production
    few_circle, few_actor, few = _circle_with(2)
    many_circle, many_actor, many = _circle_with(12)
    few_entries, few_queries = _log(few_circle, few_actor, few)
    many_entries, many_queries = _log(many_circle, many_actor, many)
    assert many_queries == few_queries
    assert len(many_entries) == 12
    assert all(e.status == "pending" and e.pk for e in many_entries)
    assert AuditEntry.objects.filter(action="contributions.entry.logged").count() == 14


def test_batch_logging_refuses_everyone_if_one_is_not_seated():
    circle, actor, members = _circle_with(2)
    outsider = MemberContactFactory().member
    with pytest.raises(Exception, match="did not sit"):
        labour_log_many(
            circle=circle,
            worked_on=DAY,
            description="x",
            hours_by_member={members[0]: Decimal("2"), outsider: Decimal("1")},
            actor=actor,
            on=DAY,
        )
    assert not LedgerEntry.objects.exists()
