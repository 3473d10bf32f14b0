from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from meetcoop.core.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Logins come from approved applications; open sign-up only when the setting allows it."""

    def is_open_for_signup(self, request):
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))

    def get_client_ip(self, request):
        """The address allauth's rate limits (login, password reset, ...) count by: the same
        one as every other limit of the site (``TRUSTED_PROXY_COUNT``). allauth's own lookup
        would answer 500 to a request whose X-Forwarded-For is shorter than the proxy count."""
        return client_ip(request) or super().get_client_ip(request)
