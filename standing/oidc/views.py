"""The provider's pages: the authorization page (refusing, in the person's language, whoever
their membership does not let in), the token endpoint behind a rate limit, and logout."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import InvalidOIDCClientError, OAuthToolkitError
from oauth2_provider.models import Application, get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauthlib.common import Request as OauthlibRequest
from oauthlib.openid.connect.core.exceptions import LoginRequired

from .selectors import introspection, refusal, service_access, service_of_client
from .values import with_issuer

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

    def _refused(self, request, client_id, *, posted=False):
        service = service_of_client(client_id)
        if service is None and not client_id:
            return None  # DOT answers a request without a client itself
        if (
            service is None
            and not get_application_model().objects.filter(client_id=client_id).exists()
        ):
            # An unknown client: DOT's own error page for a request; a consent form naming
            # one (altered, or the client deleted meanwhile) would reach DOT's lookup, a 500.
            return self._bad_request() if posted else None
        access = service_access(request.user, service)
        if access.allowed:
            return None
        context = {"service": service, "access": access, "words": refusal(access, service)}
        return render(request, "standing/oidc/refused.html", context, status=403)

    def get(self, request, *args, **kwargs):
        if "approval_prompt" in request.GET:
            # DOT lets a request's ``approval_prompt=auto`` skip the consent page while the
            # person holds a live token of the service: a steward's service asks every time
            # (``REQUEST_APPROVAL_PROMPT`` "force"), whatever the request says.
            request.GET = request.GET.copy()
            del request.GET["approval_prompt"]
        return self._refused(request, request.GET.get("client_id")) or super().get(
            request, *args, **kwargs
        )

    def post(self, request, *args, **kwargs):
        return self._refused(request, request.POST.get("client_id"), posted=True) or super().post(
            request, *args, **kwargs
        )

    def handle_no_permission(self):
        """Someone signed out, asked with ``prompt=none``: no page may be shown, so the
        service is answered ``login_required`` (OpenID Connect Core 3.1.2.6) once the request
        is known to be its own (its client and redirect URI). DOT's does the same, but the
        validation's consent check (``validate_silent_authorization``) answered a steward's
        service ``consent_required`` first: signing in comes before consenting."""
        if "none" not in self.request.GET.get("prompt", "").split():
            return super().handle_no_permission()
        try:
            _scopes, credentials = self.validate_authorization_request(self.request)
            redirect_uri, state = credentials["redirect_uri"], credentials.get("state")
        except OAuthToolkitError as error:
            if getattr(error.oauthlib_error, "error", "") != "consent_required":
                return self.error_response(error, application=None)
            redirect_uri, state = error.oauthlib_error.redirect_uri, error.oauthlib_error.state
        application = get_application_model().objects.get(
            client_id=self.request.GET.get("client_id")
        )
        return self.redirect(LoginRequired(state=state).in_uri(redirect_uri), application)

    def redirect(self, redirect_to, application):
        """Every answer sent back to the service (a code, or an error) names the issuer as
        the discovery document does (``values.with_issuer``)."""
        return super().redirect(with_issuer(redirect_to, self.request), application)

    def _bad_request(self):
        """The page's "can't go on" answer (400), for a consent form that can't be read."""
        return self.render_to_response({"error": {"error": "invalid_request"}}, status=400)

    def form_invalid(self, form):
        return self._bad_request()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scope_words"] = [
            SCOPE_WORDS[scope]() for scope in kwargs.get("scopes", []) if scope in SCOPE_WORDS
        ]
        return context


class ServiceLogoutView(dot_views.RPInitiatedLogoutView):
    """Logout started by a service (OpenID Connect RP-initiated logout), on the site's pages."""

    template_name = "standing/oidc/logout.html"

    def get_request_application(self, id_token, client_id):
        """DOT's, but an unknown ``client_id`` is the error page (400), not a 500."""
        if client_id:
            application = get_application_model().objects.filter(client_id=client_id).first()
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return super().get_request_application(id_token, client_id)


def _confidential_client(request):
    """The confidential client that authenticated this request with its secret (HTTP Basic,
    or ``client_id`` and ``client_secret`` in the body), or None. A public client has no
    secret, so it never authenticates here: its ``client_id`` is public."""
    core = get_oauthlib_core()
    oauth_request = OauthlibRequest(
        request.build_absolute_uri(),
        request.method,
        list(core.extract_body(request)),
        core.extract_headers(request),
    )
    if not core.server.request_validator.authenticate_client(oauth_request):
        return None
    client = oauth_request.client
    if client is None or client.client_type != Application.CLIENT_CONFIDENTIAL:
        return None
    return client


def token_rate(group, request):
    return settings.OIDC_TOKEN_RATE


def _slow_down():
    """The 429 of an endpoint past its limit, in OAuth's words (the services are programs;
    they read the JSON)."""
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


def _limited(group):
    """``OIDC_TOKEN_RATE`` per client address on the POSTs of an endpoint that checks a
    client's secret: each check is a password hash (hundreds of milliseconds of CPU), so an
    endpoint without a limit let anyone keep the workers busy with wrong secrets."""
    return ratelimit(group=group, key="ip", rate=token_rate, method="POST", block=False)


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(_limited("standing.oidc.introspect"), name="dispatch")
class ServiceIntrospectView(View):
    """Token introspection (RFC 7662), by POST only, for a service and its own tokens
    (``standing.oidc.selectors.introspection``); DOT's told any client with a client_id
    about any token, the person's email included."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if getattr(request, "limited", False):
            return _slow_down()
        client = _confidential_client(request)
        if client is None:
            response = JsonResponse({"error": "invalid_client"}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="introspection"'
            return response
        token = request.POST.get("token", "")
        if not token:
            return JsonResponse(
                {"error": "invalid_request", "error_description": "Token parameter is missing."},
                status=400,
            )
        return JsonResponse(introspection(token, client))


_token_view = dot_views.TokenView.as_view()

# The device flow is not offered (docs/services.md); django-oauth-toolkit's token view still
# took its grant, and answered 500 to one without a device_code.
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@csrf_exempt
@_limited("standing.oidc.token")
def token(request, *args, **kwargs):
    """DOT's token endpoint, limited per client address: past the limit, a 429."""
    if getattr(request, "limited", False):
        return _slow_down()
    if request.method == "POST" and request.POST.get("grant_type") == DEVICE_CODE_GRANT:
        return JsonResponse({"error": "unsupported_grant_type"}, status=400)
    return _token_view(request, *args, **kwargs)


_revoke_view = dot_views.RevokeTokenView.as_view()


@csrf_exempt
@_limited("standing.oidc.revoke")
def revoke_token(request, *args, **kwargs):
    """DOT's revocation endpoint, limited per client address as the token endpoint."""
    if getattr(request, "limited", False):
        return _slow_down()
    return _revoke_view(request, *args, **kwargs)
