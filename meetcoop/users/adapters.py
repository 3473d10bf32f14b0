from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from meetcoop.core.client_ip import client_ip
from meetcoop.core.emails import email_canonical


class AccountAdapter(DefaultAccountAdapter):
    """Logins come from approved applications; open sign-up only when the setting allows it."""

    def is_open_for_signup(self, request):
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))

    def clean_email(self, email):
        """An address signed up with, or added to a login, in the spelling mail delivery reads
        (``email_canonical``): ``nuria@exam<soft hyphen>ple.org`` is ``nuria@example.org``, so
        allauth's check that an address is taken sees it."""
        return email_canonical(super().clean_email(email))

    def get_client_ip(self, request):
        """The address allauth's rate limits (login, password reset, ...) count by: the same
        one as every other limit of the site (``TRUSTED_PROXY_COUNT``). allauth's own lookup
        would answer 500 to a request whose X-Forwarded-For is shorter than the proxy count."""
        return client_ip(request) or super().get_client_ip(request)
