"""The dated policy and the service levels."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.dates import date_medium
from meetcoop.core.money import MONEY_FIELD, CurrencyField, Money, round_money


class ParticipationRule(models.TextChoices):
    """Which meetings keep an operational member active (``Policy.participation_rule``)."""

    ALL_HANDS = "all_hands", _("All Hands Meetings")
    CIRCLE = "circle", _("the meetings of their circles")
    EITHER = "either", _("All Hands Meetings or the meetings of their circles")
    BOTH = "both", _("All Hands Meetings and the meetings of their circles")


# The longest period a policy may set. Each is added to dates (a due date, a deadline, a
# window), so a typo must not reach them: no co-op needs a period longer than ten years, nor to
# keep its register of members for more than a century after a member ceases.
MAX_POLICY_DAYS = 3650
MAX_POLICY_YEARS = 100


def _days(verbose_name, **kwargs):
    """A number of days of the policy, from 0 to ``MAX_POLICY_DAYS``."""
    return models.PositiveIntegerField(
        verbose_name, validators=[MaxValueValidator(MAX_POLICY_DAYS)], **kwargs
    )


class Policy(models.Model):
    """The co-op's numbers, in force from ``effective_from`` until the next policy starts.

    A policy that is already in force is never edited: a change is a new policy with a later
    ``effective_from`` (the admin enforces this; the numbers bind people who applied under it).
    """

    effective_from = models.DateField(_("in force from"), unique=True)
    currency = CurrencyField(default="EUR")
    commitment_money = models.DecimalField(
        _("operational commitment, money"),
        **MONEY_FIELD,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    commitment_hours = models.DecimalField(
        _("operational commitment, hours"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    commitment_deadline_days = _days(_("commitment deadline (days after admission)"))
    attendance_minimum_percent = models.DecimalField(
        _("All Hands attendance minimum (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    attendance_window_days = _days(_("attendance window (days)"))
    participation_rule = models.CharField(
        _("participation that keeps operational members active"),
        max_length=10,
        choices=ParticipationRule.choices,
        default=ParticipationRule.ALL_HANDS,
        help_text=_(
            "Which meetings an operational member must attend over the attendance window: "
            "All Hands Meetings, the meetings of their own circles, either one, or both."
        ),
    )
    circle_attendance_minimum_percent = models.DecimalField(
        _("circle meeting attendance minimum (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Share of the meetings of the member's circles, held in the attendance window, "
            "that the member must attend. Used only when circle meetings count."
        ),
    )
    circle_attendance_minimum_count = models.PositiveIntegerField(
        _("circle meetings to attend, at least"),
        default=0,
        help_text=_(
            "How many meetings of their circles a member must attend in the attendance "
            "window, whatever the share (0: no count, only the share). When the circles held "
            "fewer meetings, attending all of them is enough."
        ),
    )
    revenue_share_percent = models.DecimalField(
        _("reseller revenue share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    revenue_report_due_days = _days(_("revenue report due (days after quarter end)"))
    dues_grace_days = _days(_("dues grace period (days)"))
    reseller_report_grace_days = _days(
        _("reseller report grace (days)"),
        default=30,
        help_text=_(
            "How many days a reseller's revenue report or share payment may be overdue before "
            "the reseller stops taking applications."
        ),
    )
    terms_acceptance_days = _days(_("terms acceptance period (days)"))
    dues_reminder_days_before_due = _days(
        _("dues reminder (days before the due date)"),
        default=7,
        help_text=_(
            "How many days before an unpaid dues invoice is due its member is reminded by "
            "email, once."
        ),
    )
    dues_reminder_days_before_grace_end = _days(
        _("dues reminder (days before the grace period ends)"),
        default=7,
        help_text=_(
            "How many days before the last day of grace of an unpaid dues invoice its member "
            "is reminded by email, once."
        ),
    )
    register_retention_years = models.PositiveIntegerField(
        _("register of members: years kept after a member ceases"),
        default=10,
        validators=[MaxValueValidator(MAX_POLICY_YEARS)],
        help_text=_(
            "How many years after a member ceases to be a member their entry stays in the "
            "register of members."
        ),
    )
    compensation_hour_rate = models.DecimalField(
        _("compensation per hour owed"),
        **MONEY_FIELD,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "What the co-op owes for each approved hour beyond a member's commitment, or "
            "agreed in advance as paid work. Empty: no hour is owed."
        ),
    )
    note = models.TextField(_("why this policy"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-effective_from"]

    def __str__(self):
        return _("Policy in force from %(date)s") % {"date": date_medium(self.effective_from)}

    @property
    def hour_value(self) -> Decimal:
        """What one hour of labour counts for against the commitment (never set by anyone)."""
        return round_money(self.commitment_money / self.commitment_hours)

    @property
    def commitment(self) -> Money:
        return Money(self.commitment_money, self.currency)

    @property
    def counts_all_hands(self) -> bool:
        """Whether All Hands attendance is part of the participation rule."""
        return self.participation_rule != ParticipationRule.CIRCLE

    @property
    def counts_circles(self) -> bool:
        """Whether circle meeting attendance is part of the participation rule."""
        return self.participation_rule != ParticipationRule.ALL_HANDS


class ServiceLevel(models.Model):
    class Channel(models.TextChoices):
        RESELLER = "reseller", _("through resellers")
        COOP = "coop", _("through the co-op")

    class Period(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("sold"), max_length=10, choices=Channel.choices)
    minimum_amount = models.DecimalField(
        _("minimum contribution"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = CurrencyField(default="EUR")
    period = models.CharField(_("per"), max_length=10, choices=Period.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    @property
    def minimum(self) -> Money:
        return Money(self.minimum_amount, self.currency)
