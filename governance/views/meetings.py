"""Pages of meetings and their attendance sheets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.forms import add_service_error
from meetcoop.core.pagination import paginate
from meetcoop.core.roles import is_coop_admin
from meetcoop.core.submissions import submitted_once

from .. import selectors, services
from ..forms import (
    AttendanceForm,
    MeetingForm,
)
from ..models import Circle, Meeting


@login_required
def meeting_list(request):
    today = timezone.localdate()
    page = paginate(request, selectors.meetings_list().order_by("-held_on", "title", "pk"))
    meetings = list(page)
    may_all_hands = is_coop_admin(request.user) or selectors.is_any_coordinator(
        request.user, on=today
    )
    coordinated = set(
        selectors.circles_coordinated_by(request.user, on=today).values_list("pk", flat=True)
    )
    for meeting in meetings:
        meeting.can_record = (
            may_all_hands
            if meeting.kind == Meeting.Kind.ALL_HANDS
            else is_coop_admin(request.user) or meeting.circle_id in coordinated
        )
    return render(
        request,
        "governance/meeting_list.html",
        {
            "meetings": meetings,
            "page_obj": page,
            "can_plan": is_coop_admin(request.user) or bool(coordinated),
        },
    )


@login_required
@submitted_once
def meeting_create(request):
    """Co-op admins plan any meeting; a coordinator plans meetings of its own circles."""
    user = request.user
    admin = is_coop_admin(user)
    circles = (
        Circle.objects.order_by("name")
        if admin
        else selectors.circles_coordinated_by(user, on=timezone.localdate()).order_by("name")
    )
    if not admin and not circles.exists():
        raise PermissionDenied
    form = MeetingForm(request.POST or None, circles=circles, all_hands_allowed=admin)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The meeting was added."))
            return redirect("governance:meeting_list")
    return render(
        request,
        "governance/meeting_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def meeting_attendance(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("circle"), pk=pk)
    if not selectors.can_record_attendance(request.user, meeting, on=timezone.localdate()):
        raise PermissionDenied
    members = list(selectors.expected_attendees(meeting))
    present = set(meeting.attendances.values_list("member_id", flat=True))
    if request.method == "POST":
        form = AttendanceForm(request.POST, members=members)
        if form.is_valid():
            try:
                services.attendance_record(
                    meeting=meeting,
                    member_ids=form.cleaned_data["present"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Attendance recorded."))
                return redirect("governance:meeting_list")
        status = 400
    else:
        form = AttendanceForm(members=members, initial={"present": [str(p) for p in present]})
        status = 200
    return render(
        request,
        "governance/meeting_attendance.html",
        {
            "meeting": meeting,
            "form": form,
            "expected": len(members),
            # A correction asks why (also when it was recorded by someone else meanwhile).
            "correcting": meeting.attendance_recorded_at is not None or bool(form["note"].errors),
        },
        status=status,
    )
