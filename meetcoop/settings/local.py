"""Settings for a developer's machine: ``make run``."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"  # noqa: F405, S105

# No signing key in the environment: make one for this run (tokens signed with it fail to
# verify after a restart, which is fine on a developer's machine; never in production).
if not OIDC_RSA_PRIVATE_KEY:  # noqa: F405
    from .config import rsa_private_key_pem

    OIDC_RSA_PRIVATE_KEY = rsa_private_key_pem()
    OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = OIDC_RSA_PRIVATE_KEY  # noqa: F405
