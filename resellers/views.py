"""Public pages: the steward list, a steward's application form, the thank-you page, and the
page where the owner of an email already in use answers whether an application is theirs.

None of them tells whether an email is known: the form answers a known email exactly as a
new one (``application_receive``), and the owner's page opens only with the emailed link.
"""

import math

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from meetcoop.core.errors import DomainError
from meetcoop.core.languages import language_options, steward_language
from membership.selectors import email_is_users, policy_in_force, terms_in_force

from .forms import ApplicationForm
from .models import Application
from .selectors import (
    offers_with_room,
    stewards_with_room,
)
from .services import (
    LINK_EXPIRED,
    Receipt,
    application_by_token,
    application_owner_confirm,
    application_owner_disown,
    application_receive,
)

# The thank-you page finds the application in a signed cookie rather than the session: a new
# session would cost every submission a row and a second commit.
THANKS_COOKIE = "resellers_application"
THANKS_COOKIE_SALT = "resellers.views.thanks"
THANKS_COOKIE_AGE = 60 * 60
# The rate limit's name, shared by the decorator and the page that says how long to wait.
APPLY_LIMIT_GROUP = "resellers.apply"


def apply_rate(group, request) -> str:
    """Submissions allowed per client address (``RESELLERS_APPLY_RATE``, default 10 an hour).
    The address is ``meetcoop.core.client_ip.client_ip`` (``RATELIMIT_IP_META_KEY``)."""
    return getattr(settings, "RESELLERS_APPLY_RATE", "10/h")


def steward_list(request, *, stewards):
    """The steward list; ``stewards`` from ``public_stewards_with_offers`` with
    ``availability`` set on each (``standing.views.steward_list`` serves the page)."""
    return render(request, "resellers/steward_list.html", {"stewards": stewards})


def apply_form(request, steward):
    """A steward's application form, for a steward that takes applications.

    Routed through ``standing.views.apply`` (the rate limit, the steward, and whether it takes
    applications are checked there, where every fact behind that is in sight)."""
    use_steward_language(request, steward)
    offers = list(
        offers_with_room()
        .filter(steward=steward)
        .select_related("service_level")
        .order_by("service_level__position", "service_level__code")
    )
    form_kwargs = {"steward": steward, "offers": offers, "terms": terms_in_force(at=timezone.now())}
    if request.method == "POST":
        form = ApplicationForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                receipt = application_receive(**form.submission())
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                if exc.field == "accept_terms":
                    field = next((f for f in form.fields if f.startswith("accept_")), None)
                form.add_error(field, exc.text)
            else:
                response = redirect(
                    reverse("resellers:thanks", kwargs={"slug": steward.slug})
                    + f"?lang={translation.get_language()}"
                )
                response.set_signed_cookie(
                    THANKS_COOKIE,
                    receipt.dumps(),  # what was sent, never whether the email was known
                    salt=THANKS_COOKIE_SALT,
                    max_age=THANKS_COOKIE_AGE,
                    path=reverse("resellers:steward_list"),
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
                return response
    else:
        form = ApplicationForm(**form_kwargs)
    try:  # read only to show the form: a submission that succeeds does not need it
        policy = policy_in_force(on=timezone.localdate())
    except DomainError:  # no policy yet: the form still works for user memberships
        policy = None
    context = {
        "steward": steward,
        "form": form,
        "offers": offers,
        "policy": policy,
        "steward_languages": language_options(steward.languages),
    }
    return render(request, "resellers/apply.html", context)


def use_steward_language(request, steward) -> None:
    """Show a steward's pages in a language it serves its members in: the one asked for
    (``?lang=``), else the reader's, else the steward's first. The applicant's emails are
    then written in it too (the form's language starts there)."""
    language = steward_language(steward.languages, request.GET.get("lang"))
    translation.activate(language)
    request.LANGUAGE_CODE = language


def apply_limited(request, slug):
    """A submission over the limit: a small page, answered before the steward, its offers, the
    policy and the terms are read, so a flood of posts costs little. Nothing is lost: the
    browser still holds what was typed, one step back."""
    usage = get_usage(request, group=APPLY_LIMIT_GROUP, key="ip", rate=apply_rate, method="POST")
    seconds = usage["time_left"] if usage and usage["time_left"] > 0 else 60 * 60
    context = {"slug": slug, "minutes": max(1, math.ceil(seconds / 60))}
    response = render(request, "resellers/apply_limited.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def thanks(request, slug, *, keep_alternatives=None):
    """The thank-you page. ``keep_alternatives(stewards)``, given by the layer that knows
    which stewards take applications (standing), filters the stewards with room it names."""
    receipt = Receipt.loads(
        request.get_signed_cookie(
            THANKS_COOKIE, default=None, salt=THANKS_COOKIE_SALT, max_age=THANKS_COOKIE_AGE
        ),
        slug=slug,
    )
    if receipt is None:
        return redirect("resellers:apply", slug=slug)
    use_steward_language(request, receipt.steward)
    alternatives = []
    if receipt.status == Application.Status.WAITLISTED and receipt.service_level is not None:
        alternatives = stewards_with_room(
            service_level=receipt.service_level, exclude=receipt.steward
        )
        if keep_alternatives is not None:
            alternatives = keep_alternatives(alternatives)
    return render(
        request,
        "resellers/thanks.html",
        {"application": receipt, "steward": receipt.steward, "alternatives": alternatives},
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The owner of an email already in use answers whether an application is theirs. The
    link is all it takes; whoever is signed in (if anyone) is told, and changes nothing."""
    try:
        application = application_by_token(token)
    except DomainError as error:
        status = 200 if error.code == LINK_EXPIRED else 404
        return render(request, "resellers/confirm.html", {"error": error.text}, status=status)
    if request.method == "POST":
        answer = request.POST.get("answer")
        service = {"mine": application_owner_confirm, "not_mine": application_owner_disown}
        if answer in service:
            try:
                actor = request.user if request.user.is_authenticated else None
                service[answer](application=application, actor=actor)
            except DomainError as error:
                messages.error(request, error.text)
            else:
                messages.success(
                    request,
                    _("Thank you: the application is confirmed as yours.")
                    if answer == "mine"
                    else _("Thank you: the application is closed; nothing was joined to you."),
                )
            return redirect("resellers:confirm", token=token)
    user = request.user
    signed_in_as_other = user.is_authenticated and not email_is_users(
        email=application.email, user=user
    )
    context = {
        "application": application,
        "steward": application.steward,
        "waiting": application.status == Application.Status.AWAITING_CONFIRMATION,
        "signed_in_as_other": signed_in_as_other,
    }
    return render(request, "resellers/confirm.html", context)
