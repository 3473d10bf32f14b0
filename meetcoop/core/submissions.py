"""One-time submission keys: a form sent twice (a double click, a page reloaded and sent again)
does its work once.

The form's page renders a fresh random key in a hidden field (``{% submission_key %}``,
``{% load submissions %}``); the view is decorated with ``@submitted_once``. A POST that carries
a key claims it (a ``SubmissionKey`` row with a unique key) in the same transaction as the
view's work:

- the view answers with a redirect (its work is done): the claim is kept, with where the
  person was sent;
- the view answers otherwise (the form is shown again with the service's refusal) or raises:
  the claim goes with it, so the corrected form may be sent again with the same key;
- the key was claimed before, or is claimed at the same moment by another request (the
  unique constraint decides, inside a savepoint): the view does not run; the person is sent
  where the first post sent them, with a message saying the form was recorded once.

A POST without a key, or with one that is not a key this module makes (an old page, a script),
runs the view as before. Only for views whose POST writes nothing unless it redirects.
"""

import datetime
import functools
import re
import secrets

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.http.response import HttpResponseRedirectBase
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SubmissionKey

FIELD = "submission_key"
# A claimed key is kept this long: a page older than that, sent again, does its work again.
KEEP = datetime.timedelta(days=30)
_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")


def submission_key_new() -> str:
    """A fresh key for one rendering of a form."""
    return secrets.token_urlsafe(24)


def posted_key(request) -> str | None:
    """The key posted with ``request``, or None when there is none or it is not one of ours."""
    if request.method != "POST":
        return None
    key = request.POST.get(FIELD, "")
    return key if _KEY.fullmatch(key) else None


def submission_key_claim(key: str) -> SubmissionKey | None:
    """Claim ``key`` in the current transaction: its new row, or None when it was claimed
    before (or is being claimed by a transaction that commits first). Call it inside
    ``transaction.atomic()``: the claim lasts only if that transaction commits."""
    try:
        with transaction.atomic():  # a savepoint: the refused insert leaves the transaction usable
            return SubmissionKey.objects.create(key=key)
    except IntegrityError:
        return None


def submitted_once(view):
    """Run ``view``'s POST at most once per posted key (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = posted_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            claim = submission_key_claim(key)
            if claim is None:
                return _already_sent(request, key)
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseRedirectBase):
                claim.outcome_url = response.url
                claim.save(update_fields=["outcome_url"])
            else:  # refused: the corrected form may be sent again with this key
                claim.delete()
            return response

    return wrapper


def _already_sent(request, key: str) -> HttpResponseRedirect:
    outcome = SubmissionKey.objects.filter(key=key).values_list("outcome_url", flat=True).first()
    messages.info(request, _("This form was already sent; it was recorded once."))
    return HttpResponseRedirect(outcome or request.get_full_path())


def submission_keys_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the keys claimed longer than ``KEEP`` ago; the number deleted."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _rows = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
