from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Logins come from approved applications; open sign-up only when the setting allows it."""

    def is_open_for_signup(self, request):
        return bool(getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False))
