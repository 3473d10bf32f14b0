"""The four values a Greenlight v3 needs to sign people in here (docs/services.md)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from oauth2_provider.settings import oauth2_settings

from meetcoop.core.mail import absolute_url


def issuer(request=None) -> str:
    """The issuer: ``OIDC_ISSUER`` when set; else this site's address + /o (from the request
    being served, or the site's domain for a command)."""
    if settings.OIDC_ISSUER:
        return settings.OIDC_ISSUER
    if request is not None:
        return oauth2_settings.oidc_issuer(request)
    return absolute_url("/o").rstrip("/")


def with_issuer(uri: str, request) -> str:
    """The authorization response ``uri`` carrying the issuer as its ``iss`` (RFC 9207), the
    same as the discovery document's and the ID tokens'. django-oauth-toolkit's reads an RFC
    8414 metadata address the site does not serve, and fell back to the site's root
    (``https://members.example.org``, not ``.../o``): a service checking it refused the
    answer, and the mix-up defence it is for meant nothing."""
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "iss"]
    fragment = [(k, v) for k, v in parse_qsl(parts.fragment, keep_blank_values=True) if k != "iss"]
    (fragment if parts.fragment else query).append(("iss", issuer(request)))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=urlencode(fragment)))


def greenlight_values(request, registered) -> list[tuple[str, str]]:
    """``OPENID_CONNECT_*`` for Greenlight's ``.env``, in the order its documentation lists
    them. The secret is the one in clear, known only right after registering."""
    application = registered.service.application
    return [
        ("OPENID_CONNECT_CLIENT_ID", application.client_id),
        ("OPENID_CONNECT_CLIENT_SECRET", registered.client_secret),
        ("OPENID_CONNECT_ISSUER", issuer(request)),
        ("OPENID_CONNECT_REDIRECT", _greenlight_root(application.redirect_uris.split()[0])),
    ]


def _greenlight_root(redirect_uri: str) -> str:
    """Greenlight's OPENID_CONNECT_REDIRECT is its own address (it appends
    /auth/openid_connect/callback itself: the redirect URI registered here)."""
    suffix = "/auth/openid_connect/callback"
    return redirect_uri[: -len(suffix)] if redirect_uri.endswith(suffix) else redirect_uri
