"""The forum's sign-in through DiscourseConnect: ``/forum/connect/``."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import services
from .selectors import discourse_enabled, may_enter_forum


def _refused(request, message: str, *, status: int):
    return render(
        request,
        "standing/forum_refused.html",
        {"message": message, "status": status},
        status=status,
    )


@never_cache
@require_GET
def discourse_connect(request):
    """Discourse sends the browser here with a signed request; a signed-in member is sent
    back to the forum with who they are and their groups."""
    if not discourse_enabled():
        raise Http404
    try:
        fields = services.connect_request_read(
            sso=request.GET.get("sso", ""), sig=request.GET.get("sig", "")
        )
    except services.ConnectRefused as refusal:
        return _refused(request, refusal.message, status=refusal.status)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_enter_forum(request.user):
        return _refused(
            request,
            _(
                "The forum is for the co-op's members: none of the memberships you act for "
                "is active. Your membership page says why and what to do next."
            ),
            status=403,
        )
    try:
        url = services.connect_answer(user=request.user, fields=fields, on=timezone.localdate())
    except services.ConnectRefused as refusal:
        return _refused(request, refusal.message, status=refusal.status)
    return HttpResponseRedirect(url)
