import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from meetcoop.core.permissions import require
from meetcoop.core.roles import is_coop_admin

from . import selectors
from .context_processors import request_roles


@require(is_coop_admin)
def coop_report(request):
    today = timezone.localdate()
    points = selectors.active_over_time(until=today)
    return render(
        request,
        "standing/report.html",
        {
            "by_type": selectors.status_counts_by_type(),
            "by_steward": selectors.status_counts_by_steward(),
            "statuses": ["active", "lapsed", "pending", "suspended", "ended"],
            "chart": selectors.svg_line_chart(points),
            "today": today,
            "runs": selectors.last_status_runs(now=timezone.now()),
        },
    )


@login_required
def my_data(request):
    """Everything the co-op holds about the signed-in person and the members it speaks for,
    as a JSON file to keep or to take elsewhere."""
    now = timezone.now()
    data = selectors.member_data(request.user, now=now)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="my-data-{timezone.localdate(now).isoformat()}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def dashboard(request):
    context = selectors.member_dashboard(request.user, on=timezone.localdate(), now=timezone.now())
    return render(request, "standing/dashboard.html", context)


@login_required
def home(request):
    """Where everyone lands after signing in: a member with no other role goes straight to
    ``/me/``; anyone with a role sees the work waiting for each role (and a link to their
    membership); a login with neither is told why there is nothing here yet."""
    roles = request_roles(request)
    if roles.member and not roles.any_role:
        return redirect("standing:dashboard")
    context = selectors.role_home(
        request.user, roles=roles, on=timezone.localdate(), now=timezone.now()
    )
    return render(request, "standing/home.html", context)
