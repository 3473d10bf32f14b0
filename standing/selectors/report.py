"""The co-op's status report: counts, the last runs, active members over time."""

import datetime

from django.db.models import Count, Q

from membership.models import Membership, StatusChange, StatusRun
from resellers.models import Steward


def status_counts_by_type() -> dict[str, dict[str, int]]:
    """{type: {status: count}} over all memberships, in one query."""
    result: dict[str, dict[str, int]] = {t: {} for t in Membership.Type.values}
    rows = Membership.objects.order_by().values_list("type", "status").annotate(n=Count("id"))
    for type_, status, n in rows:
        result[type_][status] = n
    return result


def status_counts_by_steward() -> list[dict]:
    """One row per steward with its memberships counted by status, in two queries."""
    counts: dict[int, dict[str, int]] = {}
    rows = Membership.objects.order_by().values_list("steward_id", "status").annotate(n=Count("id"))
    for steward_id, status, n in rows:
        counts.setdefault(steward_id, {})[status] = n
    return [
        {"steward": steward, "counts": counts.get(steward.pk, {})}
        for steward in Steward.objects.order_by("kind", "name")
    ]


def last_status_runs(*, now: datetime.datetime, stale_after_hours: int = 36) -> dict:
    """The last finished nightly run and the last run of any kind, and whether the nightly job
    looks stopped (no finished nightly run for ``stale_after_hours``). A run of the
    ``recompute_status`` command for everyone counts as a nightly run: where no Celery beat
    runs, cron runs the command each night."""
    last_nightly = (
        StatusRun.objects.filter(source__in=["nightly", "command"], state="finished", dry_run=False)
        .order_by("-started_at")
        .first()
    )
    last_any = StatusRun.objects.order_by("-started_at").first()
    stale = last_nightly is None or (
        now - last_nightly.started_at > datetime.timedelta(hours=stale_after_hours)
    )
    return {"last_nightly": last_nightly, "last_any": last_any, "stale": stale}


def active_over_time(*, until: datetime.date, days: int = 365, step: int = 7) -> list[tuple]:
    """(date, active memberships) every ``step`` days over ``days`` days up to ``until``.

    Worked back from today's count through the status history: each change into ``active``
    after a date adds one to today's count that the date did not have, each change out of it
    subtracts one. Two queries, whatever the size of the co-op.
    """
    start = until - datetime.timedelta(days=days)
    now_active = Membership.objects.filter(status=Membership.Status.ACTIVE).count()
    per_day = (
        StatusChange.objects.filter(effective_on__gt=start)
        .order_by()
        .values("effective_on")
        .annotate(
            into=Count("id", filter=Q(new_status="active") & ~Q(old_status="active")),
            out_of=Count("id", filter=Q(old_status="active") & ~Q(new_status="active")),
        )
        .values_list("effective_on", "into", "out_of")
    )
    net_after = sorted(per_day)  # (day, into, out_of)
    days_shown = [start + datetime.timedelta(days=n) for n in range(0, days, step)] + [until]
    return [
        (day, now_active - sum(i - o for d, i, o in net_after if d > day)) for day in days_shown
    ]


def svg_line_chart(points: list[tuple], *, width=720, height=240, pad=36) -> dict:
    """Coordinates for a plain SVG line chart of (date, value) points."""
    if not points:
        return {"width": width, "height": height, "path": "", "ticks": [], "points": []}
    values = [v for _d, v in points]
    top = max(max(values), 1)
    span = max(len(points) - 1, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def xy(i, v):
        return (pad + inner_w * i / span, pad + inner_h * (1 - v / top))

    coords = [xy(i, v) for i, (_d, v) in enumerate(points)]
    path = "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in coords)
    ticks = [{"y": f"{pad + inner_h * (1 - f):.1f}", "label": round(top * f)} for f in (0, 0.5, 1)]
    labels = [
        {"x": f"{coords[i][0]:.1f}", "label": points[i][0]}
        for i in sorted({0, len(points) // 2, len(points) - 1})
    ]
    return {
        "width": width,
        "height": height,
        "path": path,
        "ticks": ticks,
        "labels": labels,
        "pad": pad,
        "bottom": height - pad,
        "right": width - pad,
        "points": [{"x": f"{x:.1f}", "y": f"{y:.1f}"} for x, y in coords],
        "first": points[0],
        "last": points[-1],
    }
