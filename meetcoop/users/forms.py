from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meetcoop.core.emails import email_canonical

from .models import User


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        """The address in the spelling mail delivery reads; one login per mailbox, whatever
        the letter case or spelling it was typed in."""
        email = email_canonical(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A login with this email address already exists."))
        return email
