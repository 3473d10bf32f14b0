"""Waged roles: the open roles, a role's page (apply; decide for those who may), publishing."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetcoop.core.dates import date_medium
from meetcoop.core.forms import add_service_error
from meetcoop.core.roles import is_coop_admin
from meetcoop.core.submissions import submitted_once
from membership.selectors import members_of_user

from .. import selectors, services
from ..forms import RoleApplyForm, RoleProposeForm, RolePublishForm
from ..models import RoleApplication, RoleHolder, WagedRole


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def role_list(request):
    today = timezone.localdate()
    circles = selectors.circles_to_publish_for(request.user, on=today)
    may_publish = is_coop_admin(request.user) or circles.exists()
    form = None
    if may_publish:
        form = RolePublishForm(
            request.POST or None, circles=circles, coop_admin=is_coop_admin(request.user)
        )
        if request.method == "POST" and form.is_valid():
            try:
                role = services.role_publish(actor=request.user, on=today, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The role is published."))
                return redirect("governance:role_detail", pk=role.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "governance/role_list.html",
        {
            "open_roles": list(selectors.open_roles(on=today)),
            "my_applications": list(selectors.role_applications_of(request.user)),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def role_detail(request, pk):
    today = timezone.localdate()
    role = get_object_or_404(WagedRole.objects.select_related("circle"), pk=pk)
    members = members_of_user(request.user)
    form = RoleApplyForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_apply(
                role=role,
                member=form.cleaned_data["member"],
                statement=form.cleaned_data["statement"],
                actor=request.user,
                on=today,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your application was sent."))
            return redirect("governance:role_detail", pk=role.pk)
    may_decide = selectors.can_manage_role(request.user, role.circle, on=today)
    applications = (
        list(role.applications.select_related("member", "decided_by", "proposal"))
        if may_decide
        else []
    )
    closes_at = (timezone.now() + datetime.timedelta(days=7)).replace(second=0, microsecond=0)
    return render(
        request,
        "governance/role_detail.html",
        {
            "role": role,
            "is_open": role.is_open(today),
            "form": form if members.exists() else None,
            "may_decide": may_decide,
            "applications": applications,
            "propose_form": RoleProposeForm(role=role, initial={"closes_at": closes_at})
            if may_decide
            else None,
            "holders": list(role.holders.select_related("member")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def role_decide(request, pk):
    application = get_object_or_404(
        RoleApplication.objects.select_related("role__circle", "member"), pk=pk
    )
    if not selectors.can_manage_role(
        request.user, application.role.circle, on=timezone.localdate()
    ):
        raise PermissionDenied
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):  # a forged or empty POST decides nothing
        messages.error(request, _("Choose Accept or Decline."))
        return redirect("governance:role_detail", pk=application.role_id)
    accept = decision == "accept"
    try:
        services.role_application_decide(
            application=application,
            accept=accept,
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(member)s now holds the role.") % {"member": application.member}
            if accept
            else _("The application of %(member)s was declined.") % {"member": application.member},
        )
    return redirect("governance:role_detail", pk=application.role_id)


@login_required
@require_POST
def role_propose(request, pk):
    application = get_object_or_404(
        RoleApplication.objects.select_related("role__circle", "member"), pk=pk
    )
    if not selectors.can_manage_role(
        request.user, application.role.circle, on=timezone.localdate()
    ):
        raise PermissionDenied
    form = RoleProposeForm(request.POST, role=application.role)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("governance:role_detail", pk=application.role_id)
    try:
        proposal = services.role_application_propose(
            application=application,
            electorate=form.cleaned_data["electorate"],
            closes_at=form.cleaned_data["closes_at"],
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("governance:role_detail", pk=application.role_id)
    messages.success(
        request,
        _(
            "The proposal is open; its electorate has been told. "
            "Its outcome decides the application."
        ),
    )
    return redirect("governance:proposal_detail", pk=proposal.pk)


@login_required
@require_POST
def role_holding_end(request, pk):
    holder = get_object_or_404(RoleHolder.objects.select_related("role"), pk=pk)
    if not selectors.can_manage_role(request.user, holder.role.circle, on=timezone.localdate()):
        raise PermissionDenied
    try:
        ended_on = datetime.date.fromisoformat(request.POST.get("ended_on", ""))
    except ValueError:
        messages.error(request, _("Enter a valid date."))
        return redirect("governance:role_detail", pk=holder.role_id)
    try:
        services.role_holding_end(holder=holder, ended_on=ended_on, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(member)s no longer holds the role after %(date)s.")
            % {"member": holder.member, "date": date_medium(ended_on)},
        )
    return redirect("governance:role_detail", pk=holder.role_id)
