"""The sign-in pages' Content-Security-Policy: their forms may send the browser on to the
co-op's services and to the forum.

The site's policy allows forms to post to this site only (``form-action 'self'``), and a
browser holds every redirect that follows a form's post to it as well: signing in at
``/accounts/login/?next=/o/authorize/...``, *Sign me in* on a service's consent page and
*Log out* on a service's logout page each end in a redirect to the service (or, from the
login page, to the forum's ``return_sso_url``), which Chromium refused, leaving the person on
the page. Those pages, and only those, name these destinations in their ``form-action``.
"""

from functools import wraps

from django.conf import settings

from .discourse.selectors import discourse_enabled
from .oidc.selectors import service_origins, url_origin


def form_destinations() -> list[str]:
    """Where a sign-in page's form may send the browser on: every registered service's
    redirect and post-logout origins, and the forum when it is connected. One query."""
    origins = service_origins()
    if discourse_enabled():
        forum = url_origin(settings.DISCOURSE_URL)
        if forum:
            origins.add(forum)
    return sorted(origins)


def form_may_leave_for_services(view):
    """Add ``form_destinations()`` to the ``form-action`` of the page ``view`` shows (a
    redirect or an error answer has no form, and is left as it is)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            destinations = form_destinations()
            if destinations:
                response._csp_update = {"form-action": destinations}
        return response

    return wrapped
