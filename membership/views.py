from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from meetcoop.core.errors import DomainError
from meetcoop.core.pagination import paginate

from . import services
from .models import Membership, TermsVersion
from .reasons import status_change_words
from .selectors import members_of_user, status_history


@require_POST
def language_set(request):
    """The header's language switcher (and the one on ``/me/``): Django's ``set_language``
    keeps a visitor's choice in the language cookie and sends them back where they were; a
    signed-in person's choice is also kept with their login, for every page and email."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        try:
            changed = services.person_language_set(
                user=request.user, language=language, actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.text)
        else:
            if changed:
                with translation.override(language):  # said in the language just chosen
                    messages.success(
                        request, _("From now on, your pages and emails are in this language.")
                    )
    return response


@login_required
@require_POST
def terms_accept(request, pk):
    version = get_object_or_404(TermsVersion, pk=pk, published_at__lte=timezone.now())
    members = members_of_user(request.user)
    if not members.exists():
        raise Http404
    services.terms_accept(members=members, version=version, actor=request.user)
    messages.success(request, _("Thank you: you accepted %(terms)s.") % {"terms": version})
    return redirect("standing:dashboard")  # the member's page: a URL name, not an import


@login_required
def status_history_page(request, pk):
    """Every change of one of the login's memberships, newest first, a page at a time."""
    membership = get_object_or_404(
        Membership.objects.select_related("member", "steward"),
        pk=pk,
        member__in=members_of_user(request.user),
    )
    page = paginate(request, status_history(membership), per_page=20)
    rows = [(change, status_change_words(change)) for change in page]
    return render(
        request,
        "membership/status_history.html",
        {"membership": membership, "page_obj": page, "rows": rows},
    )
