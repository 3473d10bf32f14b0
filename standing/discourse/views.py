"""The forum's sign-in through DiscourseConnect: ``/forum/connect/``."""

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..csp import form_may_leave_for_services
from . import services
from .selectors import discourse_enabled, entered_forum_before, may_enter_forum


def _refused(request, message: str, *, status: int):
    return render(
        request,
        "standing/forum_refused.html",
        {"message": message, "status": status},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@form_may_leave_for_services
def discourse_connect(request):
    """Discourse sends the browser here with a signed request; a signed-in member is sent
    back to the forum with who they are and their groups.

    The first time (no forum account yet) the person is asked first, and the request goes on
    only from that page's form (a POST, under the CSRF check): another site can't open a
    forum account for someone by embedding this address."""
    if not discourse_enabled():
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    sso, sig = data.get("sso", ""), data.get("sig", "")
    try:
        fields = services.connect_request_read(sso=sso, sig=sig)
    except services.ConnectRefused as refusal:
        return _refused(request, refusal.message, status=refusal.status)
    if not request.user.is_authenticated:
        return redirect_to_login(f"{request.path}?{urlencode({'sso': sso, 'sig': sig})}")
    if not may_enter_forum(request.user):
        return _refused(
            request,
            _(
                "The forum is for the co-op's members: none of the memberships you act for "
                "is active. Your membership page says why and what to do next."
            ),
            status=403,
        )
    if request.method == "GET" and not entered_forum_before(request.user):
        return render(request, "standing/forum_first_entry.html", {"sso": sso, "sig": sig})
    try:
        url = services.connect_answer(user=request.user, fields=fields, on=timezone.localdate())
    except services.ConnectRefused as refusal:
        return _refused(request, refusal.message, status=refusal.status)
    return HttpResponseRedirect(url)
