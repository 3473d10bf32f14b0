"""Two people acting on the same entry at once: one wins, the other gets a clear error.

The threaded tests need a database that serialises writers across connections: PostgreSQL
(row locks from select_for_update). The in-memory SQLite test database is shared between
threads through a shared cache that reports "table is locked" instead of waiting, so there
the same race is played with stale objects: the second caller still holds the entry as it
was read before the first decision, and the service re-reads it under lock.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from contributions import services
from contributions.models import LedgerEntry

from .conftest import TODAY
from .races import race

pytestmark = pytest.mark.django_db(transaction=True)
threaded = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need PostgreSQL row locks"
)


def logged(coop):
    return services.labour_log(
        member=coop.member.member,
        circle=coop.tech,
        hours="3",
        worked_on=datetime.date(2026, 6, 1),
        description="x",
        actor=coop.member.user,
        on=TODAY,
    )


def test_a_stale_second_decision_is_a_clear_error(coop):
    seen_by_a = logged(coop)
    seen_by_b = LedgerEntry.objects.get(pk=seen_by_a.pk)
    services.entry_approve(entry=seen_by_a, actor=coop.coord_a.user, on=TODAY)
    with pytest.raises(ValidationError, match="already"):
        services.entry_reject(entry=seen_by_b, actor=coop.coord_b.user, on=TODAY)
    assert LedgerEntry.objects.get(pk=seen_by_a.pk).status == "approved"


def test_a_stale_second_reversal_is_refused(coop):
    entry = services.entry_approve(entry=logged(coop), actor=coop.coord_a.user, on=TODAY)
    stale = LedgerEntry.objects.get(pk=entry.pk)
    services.entry_reverse(entry=entry, reason="a", actor=coop.coord_a.user, on=TODAY)
    with pytest.raises(ValidationError, match="already"):
        services.entry_reverse(entry=stale, reason="b", actor=coop.coord_b.user, on=TODAY)
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1


@threaded
def test_two_coordinators_deciding_at_once_one_wins(coop):
    entry = services.labour_log(
        member=coop.member.member,
        circle=coop.tech,
        hours="3",
        worked_on=datetime.date(2026, 6, 1),
        description="x",
        actor=coop.member.user,
        on=TODAY,
    )
    results = race(
        lambda: services.entry_approve(entry=entry, actor=coop.coord_a.user, on=TODAY),
        lambda: services.entry_reject(entry=entry, actor=coop.coord_b.user, on=TODAY),
    )
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(errors) == 1 and "already" in errors[0].messages[0]
    entry.refresh_from_db()
    assert entry.status in ("approved", "rejected")


@threaded
def test_two_reversals_at_once_make_one(coop):
    entry = services.labour_log(
        member=coop.member.member,
        circle=coop.tech,
        hours="3",
        worked_on=datetime.date(2026, 6, 1),
        description="x",
        actor=coop.coord_a.user,
        on=TODAY,
    )
    services.entry_approve(entry=entry, actor=coop.coord_b.user, on=TODAY)
    results = race(
        lambda: services.entry_reverse(entry=entry, reason="a", actor=coop.coord_a.user, on=TODAY),
        lambda: services.entry_reverse(entry=entry, reason="b", actor=coop.coord_b.user, on=TODAY),
    )
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1
