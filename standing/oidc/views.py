"""The provider's pages: the authorization page (refusing, in the person's language, whoever
their membership does not let in), the token endpoint behind a rate limit, and logout."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit
from oauth2_provider import views as dot_views

from .selectors import refusal, service_access, service_of_client

# What each scope lets a service read, as the consent page says it.
SCOPE_WORDS = {
    "openid": lambda: _("that you are signed in, under an identifier of its own"),
    "profile": lambda: _("your name, your language and your membership (type, level, status)"),
    "email": lambda: _("your email address"),
}


class ServiceAuthorizationView(dot_views.AuthorizationView):
    """DOT's authorization endpoint, on the site's own pages, letting in only the people whose
    membership the service serves (``standing.oidc.selectors.service_access``)."""

    template_name = "standing/oidc/authorize.html"

    def _refused(self, request, client_id):
        service = service_of_client(client_id)
        if service is None and not client_id:
            return None  # DOT answers a request without a client itself
        if service is None:
            from oauth2_provider.models import Application

            if not Application.objects.filter(client_id=client_id).exists():
                return None  # an unknown client: DOT's own error
        access = service_access(request.user, service)
        if access.allowed:
            return None
        context = {"service": service, "access": access, "words": refusal(access, service)}
        return render(request, "standing/oidc/refused.html", context, status=403)

    def get(self, request, *args, **kwargs):
        return self._refused(request, request.GET.get("client_id")) or super().get(
            request, *args, **kwargs
        )

    def post(self, request, *args, **kwargs):
        return self._refused(request, request.POST.get("client_id")) or super().post(
            request, *args, **kwargs
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scope_words"] = [
            SCOPE_WORDS[scope]() for scope in kwargs.get("scopes", []) if scope in SCOPE_WORDS
        ]
        return context


class ServiceLogoutView(dot_views.RPInitiatedLogoutView):
    """Logout started by a service (OpenID Connect RP-initiated logout), on the site's pages."""

    template_name = "standing/oidc/logout.html"


_token_view = dot_views.TokenView.as_view()


def token_rate(group, request):
    return settings.OIDC_TOKEN_RATE


@csrf_exempt
@ratelimit(group="standing.oidc.token", key="ip", rate=token_rate, method="POST", block=False)
def token(request, *args, **kwargs):
    """DOT's token endpoint, limited per client address: past the limit, a 429 in OAuth's
    words (the services are programs; they read the JSON)."""
    if getattr(request, "limited", False):
        response = JsonResponse(
            {
                "error": "slow_down",
                "error_description": "Too many token requests from this address; "
                "wait a minute and try again.",
            },
            status=429,
        )
        response["Retry-After"] = "60"
        return response
    return _token_view(request, *args, **kwargs)
