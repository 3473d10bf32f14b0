from django.shortcuts import render
from django.utils import timezone

from meetcoop.core.permissions import require
from meetcoop.core.roles import is_coop_admin

from . import selectors


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
        },
    )
