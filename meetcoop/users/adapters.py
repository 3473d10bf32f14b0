from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from meetcoop.core.client_ip import client_ip
from meetcoop.core.emails import email_canonical
from meetcoop.core.languages import shipped


class AccountAdapter(DefaultAccountAdapter):
    """Logins come from approved applications; open sign-up only when the setting allows it."""

    def is_open_for_signup(self, request):
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))

    def clean_email(self, email):
        """An address signed up with, or added to a login, in the spelling mail delivery reads
        (``email_canonical``): ``nuria@exam<soft hyphen>ple.org`` is ``nuria@example.org``, so
        allauth's check that an address is taken sees it."""
        return email_canonical(super().clean_email(email))

    def add_message(self, request, *args, **kwargs):
        """A message for a signed-in person in the language they chose: "Signed in as ..." is
        written during the sign-in request, which began in the visitor's language, and read
        on the next page, which is in the person's own."""
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and shipped(language):
            with translation.override(language):
                return super().add_message(request, *args, **kwargs)
        return super().add_message(request, *args, **kwargs)

    def get_client_ip(self, request):
        """The address allauth's rate limits (login, password reset, ...) count by: the same
        one as every other limit of the site (``TRUSTED_PROXY_COUNT``). allauth's own lookup
        would answer 500 to a request whose X-Forwarded-For is shorter than the proxy count."""
        return client_ip(request) or super().get_client_ip(request)
