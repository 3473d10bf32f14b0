"""The provider's endpoints under /o/ (the issuer is this site's address + /o): discovery,
JWKS, authorization, token, userinfo, revocation, introspection and logout. Only these:
django-oauth-toolkit's pages to register applications, its device flow and dynamic client
registration are not served (services are registered by the co-op, docs/services.md).

The namespace is django-oauth-toolkit's own, which it reverses (the discovery document)."""

from django.urls import path
from oauth2_provider import views as dot_views

from ..csp import form_may_leave_for_services
from . import views

app_name = "oauth2_provider"

urlpatterns = [
    # The consent and logout pages' forms end in a redirect to the service (standing.csp).
    path(
        "authorize/",
        form_may_leave_for_services(views.ServiceAuthorizationView.as_view()),
        name="authorize",
    ),
    path("token/", views.token, name="token"),
    path("revoke_token/", views.revoke_token, name="revoke-token"),
    path("introspect/", views.ServiceIntrospectView.as_view(), name="introspect"),
    # Without a trailing slash, as OpenID Connect Discovery says.
    path(
        ".well-known/openid-configuration",
        dot_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", dot_views.UserInfoView.as_view(), name="user-info"),
    path(
        "logout/",
        form_may_leave_for_services(views.ServiceLogoutView.as_view()),
        name="rp-initiated-logout",
    ),
]
