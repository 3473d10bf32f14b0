"""The one-time submission key: claimed once, kept only with the work it did, purged by age."""

import datetime

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from meetcoop.core.models import SubmissionKey
from meetcoop.core.submissions import (
    FIELD,
    posted_key,
    submission_key_claim,
    submission_key_new,
    submission_keys_purge,
    submitted_once,
)
from meetcoop.core.tasks import purge_submission_keys

pytestmark = pytest.mark.django_db


def post(data):
    request = RequestFactory().post("/form/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_key_is_claimed_once():
    key = submission_key_new()
    with transaction.atomic():
        assert submission_key_claim(key) is not None
    with transaction.atomic():
        assert submission_key_claim(key) is None
        # The refused claim was a savepoint: the transaction goes on (PostgreSQL would
        # otherwise refuse every statement after the failed insert).
        assert SubmissionKey.objects.filter(key=key).count() == 1


def test_a_claim_rolled_back_leaves_the_key_free():
    key = submission_key_new()
    with transaction.atomic():
        assert submission_key_claim(key) is not None
        transaction.set_rollback(True)
    with transaction.atomic():
        assert submission_key_claim(key) is not None


def test_only_a_key_of_ours_is_read_from_a_post():
    key = submission_key_new()
    assert posted_key(post({FIELD: key})) == key
    assert posted_key(post({})) is None
    assert posted_key(post({FIELD: "short"})) is None
    assert posted_key(post({FIELD: "x" * 65})) is None
    assert posted_key(post({FIELD: key[:-1] + "é"})) is None
    assert posted_key(RequestFactory().get("/form/", {FIELD: key})) is None


def test_each_rendering_has_a_fresh_key():
    template = Template("{% load submissions %}{% submission_key %}")
    first, second = template.render(Context()), template.render(Context())
    assert first.startswith(f'<input type="hidden" name="{FIELD}" value="')
    assert first != second


def counting_view(answer):
    calls = []

    @submitted_once
    def view(request):
        calls.append(request)
        SubmissionKey.objects.create(key=f"work-{len(calls)}-{'x' * 20}")  # the view's work
        return answer()

    return view, calls


def test_the_view_runs_once_per_key_and_the_second_post_goes_where_the_first_went():
    view, calls = counting_view(lambda: redirect("/done/7/"))
    data = {FIELD: submission_key_new()}
    first = view(post(data))
    second_request = post(data)
    second = view(second_request)
    assert len(calls) == 1
    assert first.url == second.url == "/done/7/"
    assert [str(m) for m in second_request._messages] == [
        "This form was already sent; it was recorded once."
    ]


def test_a_view_that_does_not_redirect_gives_the_key_back():
    view, calls = counting_view(lambda: HttpResponse(status=400))
    data = {FIELD: submission_key_new()}
    view(post(data))
    view(post(data))
    assert len(calls) == 2
    assert not SubmissionKey.objects.filter(key=data[FIELD]).exists()


def test_a_post_without_a_key_runs_the_view_every_time():
    view, calls = counting_view(lambda: redirect("/done/"))
    view(post({}))
    view(post({}))
    assert len(calls) == 2


def test_old_keys_are_purged_twice_without_harm():
    now = timezone.now()
    SubmissionKey.objects.create(key="old" + "x" * 20, created_at=now - datetime.timedelta(days=31))
    SubmissionKey.objects.create(key="new" + "x" * 20, created_at=now - datetime.timedelta(days=29))
    assert submission_keys_purge(now=now) == 1
    assert submission_keys_purge(now=now) == 0
    assert purge_submission_keys() == 0
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["new" + "x" * 20]
