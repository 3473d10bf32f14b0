import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from meetcoop.core.errors import DomainError
from meetcoop.core.permissions import require
from meetcoop.core.roles import is_coop_admin
from membership.selectors import member_ids_of, members_of_user
from membership.services import erasure_request, refuse_unless_ended
from resellers import views as resellers_views
from resellers.availability import public_reason
from resellers.selectors import public_stewards, public_stewards_with_offers

from . import selectors
from .context_processors import request_roles
from .selectors.erasure import erasable_members
from .selectors.stewards import stewards_availability, stewards_taking, stewards_taking_with_room


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


def _dashboard_page(request, *, status: int = 200):
    """``/me/``. The rules need the policy in force today and the one that binds each
    operational membership; when one is missing (no policy yet: user memberships are made
    without one; or a membership bound by a day before the first policy) nothing can be
    evaluated, so the page says so and keeps what needs no policy (the language, the data
    download, the request to be forgotten) instead of failing."""
    try:
        context = selectors.member_dashboard(
            request.user, on=timezone.localdate(), now=timezone.now()
        )
    except DomainError as error:
        if error.code != "policy_missing":
            raise
        context = selectors.dashboard_without_policy(request.user, reason=error.text)
    return render(request, "standing/dashboard.html", context, status=status)


@login_required
def dashboard(request):
    return _dashboard_page(request)


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


def thanks(request, slug):
    """The thank-you page, naming for the waiting list only stewards that take applications."""

    return resellers_views.thanks(
        request,
        slug,
        keep_alternatives=lambda stewards: stewards_taking(stewards, on=timezone.localdate()),
    )


def steward_list(request):
    """The public steward list (``/apply/``), each marked taking applications or not."""
    stewards = list(public_stewards_with_offers())
    availability = stewards_availability(stewards, on=timezone.localdate())
    for steward in stewards:
        steward.availability = availability[steward.pk]
    return resellers_views.steward_list(request, stewards=stewards)


@require_http_methods(["GET", "POST"])
@ratelimit(
    group=resellers_views.APPLY_LIMIT_GROUP,
    key="ip",
    rate=resellers_views.apply_rate,
    method="POST",
    block=False,
)
def apply(request, slug):
    """A steward's application page: its form while it takes applications; otherwise a page
    saying so, naming the stewards with room (answered 200; a form posted to it is refused
    with the same page and nothing is saved)."""
    if getattr(request, "limited", False):
        return resellers_views.apply_limited(request, slug)
    steward = get_object_or_404(public_stewards(), slug=slug)
    today = timezone.localdate()
    availability = stewards_availability([steward], on=today)[steward.pk]
    if availability.taking:
        return resellers_views.apply_form(request, steward)
    resellers_views.use_steward_language(request, steward)
    context = {
        "steward": steward,
        "reason": public_reason(availability.reason, steward_name=steward.name),
        "alternatives": stewards_taking_with_room(steward=steward, on=today),
        "refused": request.method == "POST",
    }
    return render(request, "standing/steward_closed.html", context)


class ForgetForm(forms.Form):
    member = forms.IntegerField()
    understood = forms.BooleanField(required=True)
    reason = forms.CharField(required=False, max_length=2000)


@login_required
@require_http_methods(["POST"])
def forget_me(request):
    """A former member asks to be forgotten (a co-op admin confirms it later)."""
    form = ForgetForm(request.POST)
    if form.is_valid() and form.cleaned_data["member"] not in member_ids_of(request.user):
        raise Http404  # another person's member: as if it did not exist
    erasable = {row["member"].pk: row["member"] for row in erasable_members(request.user)}
    if not form.is_valid() or form.cleaned_data["member"] not in erasable:
        refusal = _("Tick the box to confirm that you want to be forgotten.")
        if form.is_valid():  # their own member, not a former one yet: say what to end first
            try:
                refuse_unless_ended(
                    members_of_user(request.user).get(pk=form.cleaned_data["member"])
                )
            except DomainError as exc:
                refusal = exc.text
        messages.error(request, refusal)
        return _dashboard_page(request, status=400)
    member = erasable[form.cleaned_data["member"]]
    try:
        erasure_request(member=member, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(
            request,
            _("Your request to be forgotten is recorded. A co-op admin will confirm it."),
        )
    return redirect("standing:dashboard")
