"""The site's URLs and error handlers, plus views that fail, for the error-page tests."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import connection
from django.urls import path
from django_ratelimit.exceptions import Ratelimited

from meetcoop.urls import (  # noqa: F401  (the handlers under test, as the site wires them)
    handler400,
    handler403,
    handler404,
    handler429,
    handler500,
)
from meetcoop.urls import urlpatterns as site_urlpatterns


def bad(request):
    raise BadRequest("malformed")


def denied(request):
    raise PermissionDenied("Only treasurers record money and resources.")


def limited(request):
    raise Ratelimited()


def boom(request):
    raise RuntimeError("boom")


def database_down(request):
    with connection.cursor() as cursor:  # the test makes every cursor fail
        cursor.execute("SELECT 1")


urlpatterns = [
    path("test-errors/400/", bad),
    path("test-errors/403/", denied),
    path("test-errors/429/", limited),
    path("test-errors/500/", boom),
    path("test-errors/db/", database_down),
    *site_urlpatterns,
]
