"""django-oauth-toolkit's validator, with the co-op's rules: who may sign in (at the token
exchange and at every refresh, not only at the authorization page), the claims a service
reads, PKCE for public clients, and the record of each sign-in."""

from allauth.account.models import EmailAddress
from django.conf import settings
from oauth2_provider.models import Application
from oauth2_provider.oauth2_validators import OAuth2Validator

from ..models import Service
from .selectors import service_access
from .services import sign_in_record, subject_of

# The co-op's own claim: the membership that lets the person in (docs/services.md).
MEMBERSHIP_CLAIM = "membership"


def _service(client) -> Service | None:
    if client is None:
        return None
    cached = getattr(client, "_meetcoop_service", False)
    if cached is False:
        cached = Service.objects.select_related("steward").filter(application=client).first()
        client._meetcoop_service = cached
    return cached


def claim_name(user, *, scopes) -> str:
    """The ``name`` claim: the person's name; a person who gave none is named by their email
    only for a service that may read the email anyway (the ``email`` scope), never through
    ``profile`` alone."""
    if user.name:
        return user.name
    return user.email if "email" in (scopes or ()) else ""


class ServiceValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        MEMBERSHIP_CLAIM: "profile",
    }

    # --- who may sign in -------------------------------------------------------------------

    def is_pkce_required(self, client_id, request):
        """PKCE for every public client (it has no secret to prove itself with); a
        confidential one (a Greenlight) may use it too, and is then held to it."""
        client_type = (
            Application.objects.filter(client_id=client_id)
            .values_list("client_type", flat=True)
            .first()
        )
        return client_type != Application.CLIENT_CONFIDENTIAL

    def validate_silent_login(self, request):
        """``prompt=none``: the authorization page is behind the sign-in (someone signed out
        is sent to sign in first), so whoever reaches this is signed in. django-oauth-toolkit
        leaves it unimplemented: ``prompt=none`` was a 500."""
        return True

    def validate_silent_authorization(self, request):
        """``prompt=none`` forbids showing any page: only a service that asks nobody first
        (the co-op's own) signs a person in silently; any other answers ``consent_required``
        (the person's membership is checked before, as for every sign-in)."""
        return bool(getattr(request.client, "skip_authorization", False))

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        """The code is exchanged only while its person may still use the service."""
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        return service_access(request.user, _service(client)).allowed

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        """A refresh is refused once the membership no longer lets the person in (the tokens
        are also revoked when the status changes: standing.oidc.receivers)."""
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        return service_access(request.user, _service(client)).allowed

    def validate_bearer_token(self, token, scopes, request):
        """An access token reads nothing (userinfo) once its login is deactivated."""
        if not super().validate_bearer_token(token, scopes, request):
            return False
        user = getattr(request, "user", None)
        return user is None or user.is_active

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        """Each code given to a service is a sign-in: recorded (who, which, when)."""
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        sign_in_record(user=request.user, application=request.client)

    # --- what a service reads ----------------------------------------------------------------

    def get_additional_claims(self, request):
        user = request.user
        email = (
            EmailAddress.objects.filter(user=user, email__iexact=user.email)
            .values_list("verified", flat=True)
            .first()
        )
        access = service_access(user, _service(request.client))
        membership = access.membership if access.allowed else None
        claims = {
            # Opaque and stable: not the email, not the database id.
            "sub": subject_of(user),
            "email": user.email,
            "email_verified": bool(email),
            "locale": user.language or settings.LANGUAGE_CODE,
            MEMBERSHIP_CLAIM: None,
        }
        name = claim_name(user, scopes=request.scopes)
        if name:
            claims["name"] = name
        if membership is not None:
            claims[MEMBERSHIP_CLAIM] = {
                "type": membership.type,
                "level": membership.service_level.code if membership.service_level else None,
                "steward": membership.steward.slug,
                "status": membership.status,
            }
        return claims

    def get_discovery_claims(self, request):
        """The claims a service may read, listed in the discovery document."""
        return [
            "sub",
            "email",
            "email_verified",
            "name",
            "locale",
            MEMBERSHIP_CLAIM,
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
        ]
