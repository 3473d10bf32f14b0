"""Public pages: the steward list, a steward's application form, and the thank-you page."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from meetcoop.core.errors import DomainError
from membership.selectors import policy_in_force, terms_in_force

from .forms import ApplicationForm
from .models import Application
from .selectors import (
    offers_with_room,
    public_stewards,
    public_stewards_with_offers,
    stewards_with_room,
)
from .services import application_submit

SESSION_KEY = "resellers_application"


def apply_rate(group, request) -> str:
    """Submissions allowed per IP address (``RESELLERS_APPLY_RATE``, default 10 an hour)."""
    return getattr(settings, "RESELLERS_APPLY_RATE", "10/h")


def steward_list(request):
    stewards = list(public_stewards_with_offers())
    return render(request, "resellers/steward_list.html", {"stewards": stewards})


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=apply_rate, method="POST", block=False)
def apply(request, slug):
    steward = get_object_or_404(public_stewards(), slug=slug)
    offers = list(
        offers_with_room()
        .filter(steward=steward)
        .select_related("service_level")
        .order_by("service_level__position", "service_level__code")
    )
    try:
        policy = policy_in_force(on=timezone.localdate())
    except DomainError:  # no policy yet: the form still works for user memberships
        policy = None
    form_kwargs = {"steward": steward, "offers": offers, "terms": terms_in_force(at=timezone.now())}
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, **form_kwargs)
        if getattr(request, "limited", False):
            form.is_valid()  # keep what was typed, with its own errors too
            form.add_error(
                None,
                _(
                    "Too many applications were sent from your network in a short time. "
                    "Nothing was lost: please wait an hour and send this form again."
                ),
            )
            status = 429
        elif form.is_valid():
            try:
                application = application_submit(**form.submission())
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                if exc.field == "accept_terms":
                    field = next((f for f in form.fields if f.startswith("accept_")), None)
                form.add_error(field, exc.text)
            else:
                request.session[SESSION_KEY] = application.pk
                return redirect("resellers:thanks", slug=steward.slug)
    else:
        form = ApplicationForm(**form_kwargs)
    context = {"steward": steward, "form": form, "offers": offers, "policy": policy}
    return render(request, "resellers/apply.html", context, status=status)


def thanks(request, slug):
    application = (
        Application.objects.select_related("steward", "service_level")
        .filter(pk=request.session.get(SESSION_KEY), steward__slug=slug)
        .first()
    )
    if application is None:
        return redirect("resellers:apply", slug=slug)
    alternatives = []
    if application.status == Application.Status.WAITLISTED:
        alternatives = stewards_with_room(
            service_level=application.service_level, exclude=application.steward
        )
    return render(
        request,
        "resellers/thanks.html",
        {"application": application, "steward": application.steward, "alternatives": alternatives},
    )
