"""Members' pages of Fair Use and service concerns, under /concerns/: the list of the concerns
one raised and of those about one, the form to raise one, and a concern's page (the reporter
reads the outcome; the person concerned reads the concern, never who raised it, and answers).

Another person's concern answers 404, exactly as an id that does not exist.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from meetcoop.core.errors import DomainError
from meetcoop.core.forms import add_service_error
from meetcoop.core.submissions import submitted_once

from .forms import ConcernAnswerForm, ConcernForm
from .models import Concern, ConcernEntry
from .selectors import concerns_about, concerns_raised_by, may_raise_concern
from .services import concern_answer, concern_raise


@login_required
def concern_list(request):
    raised = concerns_raised_by(request.user).select_related("steward", "member")
    about = concerns_about(request.user)
    return render(
        request,
        "resellers/concern_list.html",
        {
            "raised": list(raised),
            "about": list(about),
            "may_raise": may_raise_concern(request.user),
        },
    )


def concern_rate(group, request) -> str:
    """Concerns one login may raise (``RESELLERS_CONCERN_RATE``, default 10 an hour)."""
    return getattr(settings, "RESELLERS_CONCERN_RATE", "10/h")


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="resellers.concern", key="user", rate=concern_rate, method="POST", block=False)
@submitted_once
def concern_new(request):
    if not may_raise_concern(request.user):
        raise PermissionDenied
    form = ConcernForm(request.POST or None)
    if getattr(request, "limited", False):
        form.is_valid()
        form.add_error(
            None, _("You have raised many concerns in a short time. Please try again in an hour.")
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = concern_raise(
                user=request.user,
                kind=data["kind"],
                steward=data["steward"],
                member_email=data["member_email"],
                description=data["description"],
                evidence=data["evidence"],
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your concern was recorded. The co-op's admins follow it; "
                    "you see the outcome here."
                ),
            )
            return redirect("concerns:detail", pk=concern.pk)
    return render(request, "resellers/concern_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def concern_detail(request, pk):
    """One page for both sides: whoever raised the concern and whoever it is about."""
    is_reporter = concerns_raised_by(request.user).filter(pk=pk).exists()
    is_concerned = concerns_about(request.user).filter(pk=pk).exists()
    if not (is_reporter or is_concerned):
        raise Http404
    concern = Concern.objects.select_related("steward", "member").get(pk=pk)
    form = None
    if is_concerned and concern.status == Concern.Status.OPEN:
        form = ConcernAnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                concern_answer(concern=concern, user=request.user, text=form.cleaned_data["text"])
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your answer was recorded."))
                return redirect("concerns:detail", pk=concern.pk)
    elif request.method == "POST":
        messages.error(request, _("This concern takes no answer from you."))
        return redirect("concerns:detail", pk=concern.pk)
    answers = list(concern.entries.filter(kind=ConcernEntry.Kind.ANSWER)) if is_concerned else []
    return render(
        request,
        "resellers/concern_detail.html",
        {
            "concern": concern,
            "is_reporter": is_reporter,
            "is_concerned": is_concerned,
            "answers": answers,
            "form": form,
        },
    )
