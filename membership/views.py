from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import TermsVersion
from .selectors import members_of_user


@login_required
@require_POST
def terms_accept(request, pk):
    version = get_object_or_404(TermsVersion, pk=pk, published_at__lte=timezone.now())
    members = members_of_user(request.user)
    if not members.exists():
        raise Http404
    services.terms_accept(members=members, version=version, actor=request.user)
    messages.success(request, _("Thank you: you accepted %(terms)s.") % {"terms": version})
    return redirect(settings.LOGIN_REDIRECT_URL)
