"""The status job's slices (issue 18), reviewed (R4): whatever the slice size (one membership
per slice, slices with no membership, a member whose two memberships fall in different
slices), the run writes exactly what one pass over the whole co-op decides, reasons
included; a failure in the last slice, or in the write after every slice, leaves nothing
written, nothing heard, and the run failed."""

import datetime

import pytest
from freezegun import freeze_time

from membership.models import Membership, StatusChange, StatusNotice, StatusRun
from membership.services import status as status_services
from membership.signals import statuses_changed
from standing import services
from standing.selectors import status_evaluate
from standing.services import status_recompute
from tests.factories import DuesInvoiceFactory, MembershipFactory
from tests.standing.test_status import healthy_operational, user_membership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-11-24 03:00:00"):
        yield


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, membership_ids, **kwargs):
        calls.append(list(membership_ids))

    statuses_changed.connect(receiver, dispatch_uid="test-slices-heard")
    yield calls
    statuses_changed.disconnect(dispatch_uid="test-slices-heard")


def a_coop_with_gaps():
    """Memberships that stay, lapse, come back or are warned, with ended ones between them
    (gaps in the ids the job selects) and members holding both types."""
    for i in range(3):
        healthy_operational()  # stays active
        MembershipFactory(status="ended")  # a gap
        MembershipFactory(status="ended")
        lapsing = healthy_operational(hours="")  # lapses: commitment overdue
        # The same member's user membership, made later: another slice.
        MembershipFactory(status="suspended")
        both = user_membership(member=lapsing.member)
        DuesInvoiceFactory(membership=both, due_on=D - days(5), period_start=D - days(5))
        late = user_membership()
        DuesInvoiceFactory(membership=late, due_on=D - days(40 + i), period_start=D - days(40))
        user_membership(status="lapsed")  # back to active


def one_pass():
    """What one pass over the whole co-op decides: {id: (old, new, reasons of the change)}
    and the at-risk causes of those that stay active."""
    evaluations = status_evaluate(Membership.objects.filter(status__in=["active", "lapsed"]), on=D)
    changes = {
        e.membership_id: (e.status, e.new_status, e.why_json()) for e in evaluations if e.changes
    }
    warned = {
        (e.membership_id, r.cause)
        for e in evaluations
        if not e.changes and e.new_status == "active"
        for r in e.at_risk
    }
    return len(evaluations), changes, warned


def written(run):
    changes = {
        c.membership_id: (c.old_status, c.new_status, c.reasons)
        for c in StatusChange.objects.filter(run=run)
    }
    warned = set(StatusNotice.objects.filter(kind="at_risk").values_list("membership_id", "cause"))
    return changes, warned


@pytest.mark.parametrize("size", [1, 3, 4, 50_000])
def test_any_slice_size_writes_what_one_pass_decides(
    size, monkeypatch, heard, django_capture_on_commit_callbacks
):
    a_coop_with_gaps()
    count, changes, warned = one_pass()
    assert (count, len(changes), len(warned)) == (15, 9, 3)  # the coop is what it says
    monkeypatch.setattr(services, "SLICE", size)
    with django_capture_on_commit_callbacks(execute=True):
        run, evaluations = status_recompute(on=D)
    assert written(run) == (changes, warned)
    assert (run.evaluated, run.lapsed, run.became_active) == (15, 6, 3)
    assert len(evaluations) == 15
    assert {e.membership_id for e in evaluations if e.changes} == set(changes)
    assert heard == [sorted(changes)]


@pytest.mark.parametrize("size", [1, 4])
def test_evaluated_again_under_lock_in_slices_the_run_is_the_same(
    size, monkeypatch, django_capture_on_commit_callbacks
):
    """As if someone had committed during the run: the memberships about to move or be
    warned are evaluated again, a slice at a time, and nothing differs."""
    a_coop_with_gaps()
    _count, changes, warned = one_pass()
    monkeypatch.setattr(services, "SLICE", size)
    monkeypatch.setattr(services, "committed_since", lambda mark: True)
    with django_capture_on_commit_callbacks(execute=True):
        run, evaluations = status_recompute(on=D)
    assert written(run) == (changes, warned)
    assert (run.evaluated, run.lapsed, run.became_active) == (15, 6, 3)
    assert len(evaluations) == 15


def _before():
    return dict(Membership.objects.values_list("pk", "status"))


def test_a_failure_in_the_last_slice_writes_nothing(
    monkeypatch, heard, django_capture_on_commit_callbacks
):
    a_coop_with_gaps()
    before = _before()
    calls = []
    evaluate = services.status_evaluate

    def failing_last(memberships, **kwargs):
        calls.append(1)
        if len(calls) == slices:
            raise RuntimeError("the last slice fails")
        return evaluate(memberships, **kwargs)

    monkeypatch.setattr(services, "SLICE", 3)
    slices = len(
        list(services._id_slices(Membership.objects.filter(status__in=["active", "lapsed"])))
    )
    assert slices > 2
    monkeypatch.setattr(services, "status_evaluate", failing_last)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        status_recompute(on=D)
    assert _before() == before
    assert not StatusChange.objects.exists() and not StatusNotice.objects.exists()
    assert heard == []
    assert StatusRun.objects.get().state == StatusRun.State.FAILED


def test_a_failure_while_writing_after_every_slice_writes_nothing(
    monkeypatch, heard, django_capture_on_commit_callbacks
):
    a_coop_with_gaps()
    before = _before()

    def failing(**kwargs):
        raise RuntimeError("the notices can't be queued")

    monkeypatch.setattr(services, "SLICE", 3)
    monkeypatch.setattr(status_services, "_queue_at_risk_notices", failing)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        status_recompute(on=D)
    # The statuses were moved in the transaction before the notices failed: all undone.
    assert _before() == before
    assert not StatusChange.objects.exists() and not StatusNotice.objects.exists()
    assert heard == []
    assert StatusRun.objects.get().state == StatusRun.State.FAILED
