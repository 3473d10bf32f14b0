"""The site's error pages (400, 403, 404, 429, 500), wired in ``meetcoop.urls``.

The 4xx pages are ordinary pages of the site: its header, a sentence saying what happened and
the ways on (home, sign in or the member's page, back where the visitor came from). The 500
page is rendered with no request context: no context processor, no session, no database, no
URL tag, so it shows even when the database is down.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token
from django_ratelimit.exceptions import Ratelimited

FALLBACK_500 = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Server error</title></head>"
    "<body><h1>Something went wrong on our side</h1><p><a href='/'>Home</a></p></body></html>"
)


def _raw_host(request) -> str:
    host = request.META.get("HTTP_HOST")
    if host:
        return host
    host, port = request.META.get("SERVER_NAME", ""), str(request.META.get("SERVER_PORT", ""))
    return host if port in ("", "80", "443") else f"{host}:{port}"


def back_url(request) -> str:
    """The page the visitor came from, as a path on this site; "" when it came from elsewhere
    (or said nothing). Read from the Referer without ``get_host()``, which raises for the very
    requests a 400 answers."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        parts = urlsplit(referer)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or parts.netloc != _raw_host(request):
        return ""
    here = request.path
    path = parts.path or "/"
    if path == here or not path.startswith("/") or path.startswith("//"):
        return ""
    return path + (f"?{parts.query}" if parts.query else "")


def _page(request, template: str, status: int, **context):
    context["back_url"] = back_url(request)
    return render(request, template, context, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    if isinstance(exception, Ratelimited):
        return too_many_requests(request)
    # A PermissionDenied raised with a sentence (they are written for people) says why.
    message = str(exception) if exception is not None and exception.args else ""
    return _page(request, "403.html", 403, message=message)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(request, "404.html", 404)


@requires_csrf_token
def too_many_requests(request, exception=None):
    """429: allauth calls ``meetcoop.urls.handler429`` when its rate limits refuse; a view
    limited by django-ratelimit with ``block=True`` raises ``Ratelimited`` (a 403) and gets it
    from ``permission_denied``."""
    return _page(request, "429.html", 429)


def _static(path: str) -> str:
    prefix = settings.STATIC_URL or "/static/"
    if not prefix.startswith(("/", "http://", "https://")):
        prefix = "/" + prefix
    return prefix + path


def _login_url() -> str:
    try:
        return reverse("account_login")
    except NoReverseMatch:
        return "/accounts/login/"


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    """500 with the site's header and plain links, rendered from values only: no context
    processor runs, nothing reads the session, the user or the database."""
    try:
        body = loader.get_template(template_name).render(
            {
                "SITE_NAME": settings.SITE_NAME,
                "LANGUAGE_CODE": translation.get_language() or settings.LANGUAGE_CODE,
                "css_url": _static("css/site.css"),
                "home_url": "/",
                "login_url": _login_url(),
                "back_url": back_url(request),
            }
        )
    except Exception:  # the page that reports errors must not fail itself
        body = FALLBACK_500
    return HttpResponseServerError(body)
