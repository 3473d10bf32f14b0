"""Ten admins approving one application at the same moment create one member, never two.

These tests commit for real (``transaction=True``) and race threads, each with its own
database connection: SQLite serialises them with IMMEDIATE transactions, PostgreSQL with
``SELECT ... FOR UPDATE``.
"""

import contextlib
import threading

import pytest
from django.db import connection

from contributions.models import DuesInvoice
from meetcoop.core.errors import DomainError
from meetcoop.users.models import User
from membership.models import Member, Membership
from resellers.models import Application, ApplicationDecision
from resellers.services import application_approve
from tests.factories import (
    ApplicationFactory,
    PolicyFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def race(n, work):
    """Run ``work(i)`` in ``n`` threads released together; return what each returned/raised."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = ("ok", work(i))
        except Exception as exc:  # collected and asserted on by the test
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_ten_admins_approving_at_once_create_one_member(mailoutbox):
    PolicyFactory()
    level = ServiceLevelFactory(code="small")
    steward = StewardFactory()
    StewardOfferFactory(steward=steward, service_level=level, capacity=10)
    admins = [StewardAdminFactory(stewards=[steward]) for _ in range(10)]
    application = ApplicationFactory(steward=steward, service_level=level, email="x@example.org")

    results = race(
        10,
        lambda i: application_approve(application=Application(pk=application.pk), actor=admins[i]),
    )

    outcomes = [kind for kind, _value in results]
    errors = [value for kind, value in results if kind == "error"]
    assert outcomes.count("ok") == 1, errors
    assert len(errors) == 9
    assert all(
        isinstance(error, DomainError) and error.code == "already_decided" for error in errors
    ), errors
    assert all("already decided" in error.message for error in errors)
    assert Member.objects.filter(email="x@example.org").count() == 1
    assert User.objects.filter(email="x@example.org").count() == 1
    assert Membership.objects.count() == 1
    assert DuesInvoice.objects.count() == 1
    assert ApplicationDecision.objects.filter(status_to="approved").count() == 1
    assert len([m for m in mailoutbox if m.to == ["x@example.org"]]) == 1


def test_two_admins_approving_the_last_place_at_once_fill_it_once():
    PolicyFactory()
    level = ServiceLevelFactory(code="small")
    steward = StewardFactory()
    StewardOfferFactory(steward=steward, service_level=level, capacity=1)
    admin = StewardAdminFactory(stewards=[steward])
    first, second = (ApplicationFactory(steward=steward, service_level=level) for _ in range(2))
    apps = [first, second]

    results = race(
        2,
        lambda i: application_approve(application=Application(pk=apps[i].pk), actor=admin),
    )

    assert [kind for kind, _v in results].count("ok") == 1
    assert Membership.objects.count() == 1
    error = next(value for kind, value in results if kind == "error")
    assert "full" in error.message


def test_two_identical_submissions_at_once_keep_one_application():
    from resellers.services import application_submit
    from tests.factories import TermsVersionFactory

    PolicyFactory()
    terms = [TermsVersionFactory(document=d) for d in ("terms_of_use", "fair_use")]
    level = ServiceLevelFactory(code="small")
    steward = StewardFactory()
    StewardOfferFactory(steward=steward, service_level=level)

    results = race(
        4,
        lambda i: application_submit(
            steward=steward,
            kind="person",
            name="Twin",
            email="twin@example.org",
            country="ES",
            language="en",
            type="user",
            service_level=level,
            accepted_terms=terms,
        ),
    )

    assert [kind for kind, _v in results].count("ok") == 1
    errors = [value for kind, value in results if kind == "error"]
    assert all(isinstance(e, DomainError) and e.field == "email" for e in errors), errors
    assert Application.objects.count() == 1


def test_one_new_email_approved_at_two_stewards_at_once_makes_one_member(mailoutbox, monkeypatch):
    """Both approvals find the email new unless they take its lock (PostgreSQL: an advisory
    lock until commit; SQLite: transactions queue): the first makes the member and login, the
    second then finds the email someone's and asks its owner. Never two members, never a 500
    on the login's unique email.

    To make the race certain, each approval, having looked at the email, waits for the other
    to have looked too. With the lock the other can't look before the first commits: the
    wait gives up after a few seconds and the approvals go one after the other."""
    from resellers.services import transitions

    looked = threading.Barrier(2)
    look = transitions.email_in_use

    def look_then_wait_for_the_other(*, email):
        answer = look(email=email)
        if not looked.broken:
            with contextlib.suppress(threading.BrokenBarrierError):
                looked.wait(timeout=3)
            looked.abort()  # once: the next looks go straight on
        return answer

    monkeypatch.setattr(transitions, "email_in_use", look_then_wait_for_the_other)
    PolicyFactory()
    level = ServiceLevelFactory(code="small")
    stewards = [StewardFactory(), StewardFactory()]
    for steward in stewards:
        StewardOfferFactory(steward=steward, service_level=level, capacity=10)
    admins = [StewardAdminFactory(stewards=[steward]) for steward in stewards]
    apps = [
        ApplicationFactory(steward=steward, service_level=level, email="twin@example.org")
        for steward in stewards
    ]

    results = race(
        2,
        lambda i: application_approve(application=Application(pk=apps[i].pk), actor=admins[i]),
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == ["approved", "awaiting_confirmation"]
    assert Member.objects.filter(email="twin@example.org").count() == 1
    assert User.objects.filter(email="twin@example.org").count() == 1
    assert Membership.objects.count() == 1
