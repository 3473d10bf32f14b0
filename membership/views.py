from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetcoop.core.permissions import require
from meetcoop.core.roles import is_coop_admin

from . import selectors, services


@require(is_coop_admin)
def coop_report(request):
    today = timezone.localdate()
    points = selectors.active_over_time(until=today)
    by_type = selectors.status_counts_by_type()
    return render(
        request,
        "membership/report.html",
        {
            "by_type": by_type,
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
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import HttpResponse

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
    return render(request, "membership/dashboard.html", context)


@login_required
@require_POST
def terms_accept(request, pk):
    from .models import Member, TermsVersion

    version = get_object_or_404(TermsVersion, pk=pk, published_at__lte=timezone.now())
    members = Member.objects.filter(contact_links__user=request.user)
    if not members.exists():
        raise Http404
    services.terms_accept(members=members, version=version, actor=request.user)
    messages.success(
        request,
        _("Thank you: you accepted %(terms)s.") % {"terms": version},
    )
    return redirect("membership:dashboard")
