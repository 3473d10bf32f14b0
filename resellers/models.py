"""Stewards: the co-op itself and the resellers that receive applications."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meetcoop.core.money import validate_currency


def validate_language_list(value):
    known = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one language."))
    unknown = [code for code in value if code not in known]
    if unknown:
        raise ValidationError(
            _("Unknown language code(s): %(codes)s."), params={"codes": ", ".join(unknown)}
        )


def validate_currency_list(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one currency."))
    for code in value:
        validate_currency(code)


class Steward(models.Model):
    """Whoever receives applications: the co-op itself, or a reseller (an operational member)."""

    class Kind(models.TextChoices):
        COOP = "coop", _("the co-op")
        RESELLER = "reseller", _("reseller")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    slug = models.SlugField(_("public slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    languages = models.JSONField(
        _("languages"),
        default=list,
        validators=[validate_language_list],
        help_text=_('Language codes the steward serves members in, e.g. ["ca", "es"].'),
    )
    currencies = models.JSONField(
        _("accepted currencies"),
        default=list,
        validators=[validate_currency_list],
        help_text=_('ISO 4217 codes, e.g. ["EUR", "CAD"].'),
    )
    accepting_applications = models.BooleanField(_("accepting applications"), default=True)
    member = models.OneToOneField(
        "membership.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reseller",
        verbose_name=_("operational member"),
        help_text=_("The operational member that resells (empty for the co-op itself)."),
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_stewards",
        verbose_name=_("admins"),
        help_text=_("These people decide this steward's applications in the admin."),
    )
    levels = models.ManyToManyField(
        "membership.ServiceLevel",
        through="StewardOffer",
        related_name="stewards",
        verbose_name=_("offered levels"),
    )

    class Meta:
        verbose_name = _("steward")
        verbose_name_plural = _("stewards")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind="coop"),
                name="steward_one_coop",
                violation_error_message=_("There is only one co-op steward."),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_reseller(self) -> bool:
        return self.kind == self.Kind.RESELLER

    def clean(self):
        if self.kind == self.Kind.COOP and self.member_id:
            raise ValidationError({"member": _("The co-op steward is not a member.")})


class StewardOffer(models.Model):
    """A service level a steward offers, with how many memberships it can take."""

    steward = models.ForeignKey(Steward, on_delete=models.CASCADE, related_name="offers")
    service_level = models.ForeignKey(
        "membership.ServiceLevel",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("service level"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("How many active memberships this level can hold here.")
    )
    greenlight_url = models.URLField(_("Greenlight URL"), blank=True)

    class Meta:
        verbose_name = _("offered level")
        verbose_name_plural = _("offered levels")
        ordering = ["steward", "service_level__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["steward", "service_level"], name="steward_offer_unique"
            )
        ]

    def __str__(self):
        return f"{self.steward} · {self.service_level}"

    def clean(self):
        from membership.models import ServiceLevel

        if not (self.steward_id and self.service_level_id):
            return
        channel = self.service_level.channel
        if self.steward.kind == Steward.Kind.RESELLER and channel != ServiceLevel.Channel.RESELLER:
            raise ValidationError(
                {"service_level": _("This level is sold only through the co-op.")}
            )
        if self.steward.kind == Steward.Kind.COOP and channel != ServiceLevel.Channel.COOP:
            raise ValidationError(
                {"service_level": _("This level is sold only through resellers.")}
            )
