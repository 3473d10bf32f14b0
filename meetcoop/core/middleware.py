"""Input no page of the site can take is answered 400 here, before any view sees it."""

import base64
import binascii
from urllib.parse import unquote

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest, ValidationError
from django.views.defaults import bad_request

NUL = "\x00"


def _basic_credentials(request) -> str:
    """The client id and secret of an HTTP Basic ``Authorization`` header, as the services'
    token endpoints read them (base64, then percent-decoded), or "" when there are none."""
    kind, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if kind.lower() != "basic":
        return ""
    try:
        return unquote(base64.b64decode(encoded.strip()).decode("utf-8", "replace"))
    except (binascii.Error, ValueError):
        return ""  # not Basic credentials at all: the endpoint refuses them itself


def _has_nul(request) -> bool:
    pairs = [request.GET.lists(), ((key, [value]) for key, value in request.COOKIES.items())]
    if request.method == "POST":
        pairs.append(request.POST.lists())
    texts = [request.path, _basic_credentials(request)]
    for source in pairs:
        for key, values in source:
            texts += [key, *values]
    return any(NUL in text for text in texts)


class BadInputMiddleware:
    """Answer 400 (Bad Request) to:

    * a NUL character in the path, the query string, a posted form (keys and values), a
      cookie or the client id and secret of HTTP Basic credentials (the services' token,
      introspection and revocation endpoints look the client up by them). PostgreSQL refuses
      NUL in text: a view that passed ``?document=%00`` or an admin list filter
      ``?status__exact=%00`` on to a query ended in a 500. No field of the site takes a NUL,
      so the request is refused whole, wherever it goes.
    * an admin action whose selection (``_selected_action``) is not keys of the list's model.
      Django's admin hands the selection to ``pk__in`` unchecked: ``abc`` was a 500.

    Placed before the session middleware, so a session cookie holding a NUL never reaches the
    session table either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return bad_request(request, BadRequest("A NUL character in the request."))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)  # set by ModelAdmin.get_urls
        if model_admin is None or request.method != "POST":
            return None
        key = model_admin.model._meta.pk
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                key.run_validators(key.to_python(value))
            except ValidationError:
                return bad_request(request, BadRequest("The selection is not rows of this list."))
        return None
