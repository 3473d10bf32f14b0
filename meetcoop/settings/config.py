"""Pure functions that turn environment values into settings, so the choices are testable."""

from pathlib import Path


def database_config(database_url: str | None, *, base_dir: Path, env) -> dict:
    """SQLite in the project folder when no ``DATABASE_URL`` is given, else that database."""
    if not database_url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(base_dir / "db.sqlite3"),
            # Wait for a lock instead of failing at once: tests race two writers on purpose.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    config = env.db_url_config(database_url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("CONN_MAX_AGE", 60)
        config.setdefault("CONN_HEALTH_CHECKS", True)
    return config


def celery_config(redis_url: str | None) -> dict:
    """Redis as broker and result store when ``REDIS_URL`` is set; tasks run eagerly otherwise."""
    if redis_url:
        return {
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": False,
            "CELERY_TASK_EAGER_PROPAGATES": False,
        }
    return {
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": None,
        "CELERY_TASK_ALWAYS_EAGER": True,
        "CELERY_TASK_EAGER_PROPAGATES": True,
    }


def rsa_private_key_pem(bits: int = 2048) -> str:
    """A new RSA private key, PEM (PKCS#8), for signing ID tokens (``manage.py oidc_key``; in
    development and tests, made at start-up when the environment gives none)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def oidc_provider_config(
    *, private_key: str, issuer: str, token_seconds: int, previous_key: str = ""
) -> dict:
    """django-oauth-toolkit's settings for the OpenID Connect provider (docs/services.md):
    authorization code with PKCE only, short-lived access tokens, RS256 ID tokens signed with
    ``private_key``, refresh tokens rotated, logout started by a service, and the validator
    that lets a person in only while their membership is served by the service."""
    return {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": private_key,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [previous_key] if previous_key else [],
        # Empty: the issuer is this site's address + /o, read from each request.
        "OIDC_ISS_ENDPOINT": issuer,
        "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_VALIDATOR_CLASS": "standing.oidc.validator.ServiceValidator",
        "SCOPES": {
            "openid": "Sign you in",
            "profile": "Your name, language and membership",
            "email": "Your email address",
        },
        "DEFAULT_SCOPES": ["openid"],
        # Required of public clients; the validator (is_pkce_required) decides per client,
        # a confidential client (a Greenlight, with its secret) may use it too.
        "PKCE_REQUIRED": True,
        # RFC 9700 (the OAuth security best practice), all of it: no implicit or password
        # grant, no "plain" PKCE, no token in a query string, the issuer in the authorization
        # response, tokens stored hashed, refresh tokens replay-protected, exact redirect URIs.
        **{
            f"COMPLIANT_BCP_RFC9700_{gate}": True
            for gate in (
                "IMPLICIT_GRANT",
                "PASSWORD_GRANT",
                "PKCE_METHOD",
                "ACCESS_TOKEN_TRANSPORT",
                "AUTHZ_RESPONSE_ISS",
                "TOKEN_STORAGE",
                "REFRESH_TOKEN",
                "REDIRECT_URI_SCHEME",
                "REDIRECT_URI_MATCHING",
                "PKCE_REQUIRED",
            )
        },
        "ALLOW_URI_WILDCARDS": False,
        # http for development and the tests; production allows https only.
        "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
        "ACCESS_TOKEN_EXPIRE_SECONDS": token_seconds,
        "ID_TOKEN_EXPIRE_SECONDS": token_seconds,
        "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 30,
        "ROTATE_REFRESH_TOKEN": True,
        "REFRESH_TOKEN_REUSE_PROTECTION": True,
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": True,
        "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
        "REQUEST_APPROVAL_PROMPT": "force",
    }
