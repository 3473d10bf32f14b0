"""Terms of Use and Fair Use versions, and who accepted which."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import Member


class TermsVersion(models.Model):
    """A published version of the Terms of Use or the Fair Use Agreement."""

    class Document(models.TextChoices):
        TERMS_OF_USE = "terms_of_use", _("Terms of Use")
        FAIR_USE = "fair_use", _("Fair Use Agreement")

    document = models.CharField(_("document"), max_length=20, choices=Document.choices)
    version = models.CharField(_("version"), max_length=20)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("terms version")
        verbose_name_plural = _("terms versions")
        ordering = ["document", "-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="terms_version_unique")
        ]

    def __str__(self):
        return f"{self.get_document_display()} {self.version}"


class TermsAcceptance(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="terms_acceptances", verbose_name=_("member")
    )
    terms_version = models.ForeignKey(
        TermsVersion,
        on_delete=models.PROTECT,
        related_name="acceptances",
        verbose_name=_("terms version"),
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when accepted on the application form, before any login existed."),
        verbose_name=_("accepted by"),
    )

    class Meta:
        verbose_name = _("terms acceptance")
        verbose_name_plural = _("terms acceptances")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "terms_version"], name="terms_accepted_once")
        ]

    def __str__(self):
        return f"{self.member} · {self.terms_version}"
