"""Pages of circles and their seats."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetcoop.core.forms import add_service_error
from meetcoop.core.pagination import paginate

from .. import selectors, services
from ..forms import (
    SeatAddForm,
    SeatEndForm,
)
from ..models import Circle, CircleRole


@login_required
def circle_list(request):
    today = timezone.localdate()
    return render(
        request,
        "governance/circle_list.html",
        {
            "circles": selectors.circle_list(on=today),
            "mine": set(
                selectors.circles_coordinated_by(request.user, on=today).values_list(
                    "pk", flat=True
                )
            ),
        },
    )


def _circle_page(request, circle, *, add_form=None, status=200):
    today = timezone.localdate()
    manage = selectors.can_manage_circle(request.user, circle, on=today)
    seats = paginate(request, selectors.circle_seats(circle, on=today), per_page=50)
    past_seats = paginate(
        request,
        circle.roles.select_related("member")
        .filter(ended_on__lt=today)
        .order_by("-ended_on", "pk"),
        per_page=50,
        param="past",
    )
    return render(
        request,
        "governance/circle_detail.html",
        {
            "circle": circle,
            "seats": seats,
            "past_seats": past_seats,
            "seats_ahead": selectors.circle_seats_ahead(circle, on=today)[:50],
            "can_manage": manage,
            "add_form": add_form or (SeatAddForm() if manage else None),
            "end_form": SeatEndForm() if manage else None,
            "meetings": circle.meetings.order_by("-held_on")[:12],
            "role_holders": selectors.role_holders_of_circle(circle),
        },
        status=status,
    )


@login_required
def circle_detail(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    return _circle_page(request, circle)


@login_required
@require_POST
def circle_seat_add(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    if not selectors.can_manage_circle(request.user, circle, on=timezone.localdate()):
        raise PermissionDenied
    form = SeatAddForm(request.POST)
    if form.is_valid():
        try:
            services.circle_seat_add(circle=circle, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The seat was added."))
            return redirect("governance:circle_detail", slug=circle.slug)
    return _circle_page(request, circle, add_form=form, status=400)


@login_required
@require_POST
def circle_seat_end(request, slug, seat_pk):
    circle = get_object_or_404(Circle, slug=slug)
    if not selectors.can_manage_circle(request.user, circle, on=timezone.localdate()):
        raise PermissionDenied
    seat = get_object_or_404(CircleRole, pk=seat_pk, circle=circle)
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the last day of the seat."))
        return redirect("governance:circle_detail", slug=circle.slug)
    try:
        ended = services.circle_seat_end(
            seat=seat, ended_on=form.cleaned_data["ended_on"], actor=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if ended is None:
            messages.success(request, _("The seat had not started yet: it was cancelled."))
        else:
            messages.success(request, _("The seat was ended."))
    return redirect("governance:circle_detail", slug=circle.slug)
