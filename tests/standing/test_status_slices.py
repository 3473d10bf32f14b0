"""The status job applies the rules a slice of memberships at a time (issue 18): the result is
the one a single pass gives, the run keeps no evaluation unless asked, and the at-risk notices
and the history are the same."""

import datetime

import pytest
from freezegun import freeze_time

from membership.models import Membership, StatusChange, StatusNotice
from standing import services
from standing.selectors import status_evaluate
from standing.services import status_recompute
from tests.factories import DuesInvoiceFactory
from tests.standing.test_status import healthy_operational, user_membership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

D = datetime.date(2026, 11, 24)


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-11-24 03:00:00"):
        yield


def a_mixed_coop():
    made = []
    for i in range(4):
        made.append(healthy_operational())  # stays active
        made.append(healthy_operational(hours=""))  # lapses: commitment overdue
        late = user_membership()
        DuesInvoiceFactory(membership=late, due_on=D - days(40 + i), period_start=D - days(40))
        made.append(late)  # lapses: dues past the grace period
        warned = user_membership()
        DuesInvoiceFactory(membership=warned, due_on=D - days(5), period_start=D - days(5))
        made.append(warned)  # stays active, warned
        made.append(user_membership(status="lapsed"))  # back to active
    return made


def test_slices_of_two_give_what_one_pass_gives(monkeypatch, django_capture_on_commit_callbacks):
    made = a_mixed_coop()
    expected = {
        e.membership_id: e.new_status
        for e in status_evaluate(Membership.objects.filter(status__in=["active", "lapsed"]), on=D)
    }
    calls = []
    evaluate = services.status_evaluate

    def counting(memberships, **kwargs):
        evaluations = evaluate(memberships, **kwargs)
        calls.append(len(evaluations))
        return evaluations

    monkeypatch.setattr(services, "SLICE", 2)
    monkeypatch.setattr(services, "status_evaluate", counting)
    with django_capture_on_commit_callbacks(execute=True):
        run, evaluations = status_recompute(on=D)
    assert len(calls) >= len(made) // 2 and max(calls) <= 2
    assert {m.pk: Membership.objects.get(pk=m.pk).status for m in made} == expected
    assert {e.membership_id: e.new_status for e in evaluations} == expected
    assert (run.evaluated, run.lapsed, run.became_active) == (20, 8, 4)
    assert StatusChange.objects.filter(run=run).count() == 12
    assert StatusNotice.objects.filter(kind="at_risk").count() == 4


def test_the_nightly_task_keeps_no_evaluation(django_capture_on_commit_callbacks):
    a_mixed_coop()
    with django_capture_on_commit_callbacks(execute=True):
        run, evaluations = status_recompute(on=D, keep_evaluations=False)
    assert evaluations == [] and (run.evaluated, run.lapsed, run.became_active) == (20, 8, 4)
    second, _ = status_recompute(on=D, keep_evaluations=False)
    assert (second.lapsed, second.became_active, second.unchanged) == (0, 0, 20)
