"""Stewards: the co-op itself and the resellers that receive applications."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from meetcoop.core.banking import compact_iban, validate_bic, validate_iban
from meetcoop.core.languages import language_choices
from meetcoop.core.models import AppendOnlyError, AppendOnlyModel
from meetcoop.core.money import MONEY_FIELD, CurrencyField, Money, round_money, validate_currency

from .reasons import decision_reason_words


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
    accepting_applications = models.BooleanField(
        _("accepting applications"),
        default=True,
        help_text=_(
            "The manual switch. A reseller also stops taking applications on its own while its "
            "operational membership is not active or its revenue reports are overdue past the "
            "grace of the policy."
        ),
    )
    # What the steward's admins were last told: taking applications (True) or not (False);
    # empty until the first check. Written only by ``steward_availability_notify``.
    availability_notified = models.BooleanField(
        _("admins last told it takes applications"), null=True, blank=True, editable=False
    )
    member = models.OneToOneField(
        "membership.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reseller",
        verbose_name=_("operational member"),
        help_text=_("The operational member that resells (empty for the co-op itself)."),
    )
    # Where members pay their dues (shown on each invoice, issue 15). A SEPA steward gives an
    # IBAN (checked with schwifty); another gives its account details in words.
    account_holder = models.CharField(_("account holder"), max_length=140, blank=True)
    iban = models.CharField(
        _("IBAN"),
        max_length=42,
        blank=True,
        validators=[validate_iban],
        help_text=_("Stored without spaces; shown in groups of four."),
    )
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    other_account_details = models.TextField(
        _("other account details"),
        blank=True,
        max_length=1000,
        help_text=_("For a steward outside SEPA: how to pay it (bank, account number, routing)."),
    )
    online_payments = models.BooleanField(
        _("members may pay online"),
        default=False,
        help_text=_(
            "Offer the co-op's online payment provider on this steward's invoices. It works "
            "only when the co-op has configured a provider."
        ),
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
        self.iban = compact_iban(self.iban)
        self.bic = compact_iban(self.bic)
        if self.kind == self.Kind.COOP and self.member_id:
            raise ValidationError({"member": _("The co-op steward is not a member.")})


class StewardOffer(models.Model):
    """A service level a steward offers, with how many memberships it can take."""

    steward = models.ForeignKey(
        Steward, on_delete=models.CASCADE, related_name="offers", verbose_name=_("steward")
    )
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
    # The steward's own price, in a currency it takes; empty: the level's minimum.
    price = models.DecimalField(
        _("price"),
        **MONEY_FIELD,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What a member pays per period, in the currency below. Empty: the minimum."),
    )
    price_currency = CurrencyField(verbose_name=_("price currency"), blank=True, default="")

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

    @property
    def dues(self) -> Money:
        """What a member pays here per period: the steward's price in its currency, or the
        level's minimum."""
        if self.price is not None and self.price_currency:
            return Money(self.price, self.price_currency)
        return self.service_level.minimum

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
        self._clean_price()

    def _clean_price(self):
        """A price comes with a currency the steward takes, and is at least the level's
        minimum, converted with the rate in force today."""
        from membership.selectors import conversion_rate

        if self.price is None and not self.price_currency:
            return
        if self.price is None or not self.price_currency:
            raise ValidationError({"price": _("Give both the price and its currency, or neither.")})
        if self.price_currency not in (self.steward.currencies or []):
            raise ValidationError(
                {
                    "price_currency": _("%(steward)s does not take %(currency)s.")
                    % {"steward": self.steward.name, "currency": self.price_currency}
                }
            )
        minimum = self.service_level.minimum
        try:
            rate = conversion_rate(
                currency=self.price_currency, base=minimum.currency, on=timezone.localdate()
            )
        except ValidationError as error:
            raise ValidationError({"price_currency": error.messages}) from None
        if round_money(self.price * rate) < minimum.amount:
            raise ValidationError(
                {
                    "price": _(
                        "The price is below the level's minimum of %(minimum)s "
                        "(%(price)s is worth %(value)s at today's rate)."
                    )
                    % {
                        "minimum": minimum,
                        "price": Money(self.price, self.price_currency),
                        "value": Money(round_money(self.price * rate), minimum.currency),
                    }
                }
            )


# --- Issue 3: applications --------------------------------------------------------------------


class Application(models.Model):
    """What a person or an organisation asks of one steward: a user or an operational membership.

    The applicant's own words are kept as typed; a decision changes only ``status`` (and the
    ``decided_*`` snapshot) and appends an :class:`ApplicationDecision`.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("pending")
        WAITLISTED = "waitlisted", _("on the waiting list")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        AWAITING_ASSEMBLY = "awaiting_assembly", _("awaiting the assembly")
        ADMITTED = "admitted", _("admitted")
        NOT_ADMITTED = "not_admitted", _("not admitted")
        # The email already belongs to a login or a member: its owner must say it is theirs.
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("awaiting the email owner")
        DISOWNED = "disowned", _("closed: the email's owner did not apply")

    class Kind(models.TextChoices):
        PERSON = "person", _("individual")
        ORGANISATION = "organisation", _("organisation")

    class Type(models.TextChoices):
        USER = "user", _("user member")
        OPERATIONAL = "operational", _("operational member")

    # Statuses in which an application still holds its place: one per email per steward.
    OPEN = (
        Status.SUBMITTED,
        Status.WAITLISTED,
        Status.AWAITING_ASSEMBLY,
        Status.AWAITING_CONFIRMATION,
    )
    # Statuses a steward admin may still decide (approve, reject, waitlist).
    UNDECIDED = (Status.SUBMITTED, Status.WAITLISTED)
    # Statuses a steward admin may still reject (an approval may wait for the email's owner).
    REJECTABLE = (*UNDECIDED, Status.AWAITING_CONFIRMATION)

    steward = models.ForeignKey(
        Steward, on_delete=models.PROTECT, related_name="applications", verbose_name=_("steward")
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    kind = models.CharField(_("individual or organisation"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    country = CountryField(_("country"))
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    type = models.CharField(_("membership type"), max_length=12, choices=Type.choices)
    service_level = models.ForeignKey(
        "membership.ServiceLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("service level"),
    )
    pledge_money = models.DecimalField(
        _("pledged money"),
        **MONEY_FIELD,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    pledge_currency = CurrencyField(verbose_name=_("pledge currency"), default="EUR")
    pledge_hours = models.DecimalField(
        _("pledged hours"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    pledge_resources_value = models.DecimalField(
        _("pledged resources, value"),
        **MONEY_FIELD,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    pledge_resources_description = models.TextField(
        _("pledged resources"), max_length=2000, blank=True
    )
    statement = models.TextField(_("why they want to join"), max_length=5000, blank=True)
    accepted_terms = models.ManyToManyField(
        "membership.TermsVersion",
        related_name="applications",
        verbose_name=_("accepted terms"),
        help_text=_("The Terms of Use and Fair Use Agreement versions shown and accepted."),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    # A reason the system gave, as a code and its parameters (``resellers.reasons``), worded
    # in the reader's language; ``decision_reason`` holds only the words a person typed.
    decision_reason_code = models.CharField(
        _("code of the decision's reason"), max_length=40, blank=True, editable=False
    )
    decision_reason_params = models.JSONField(
        _("details of the decision's reason"), default=dict, blank=True, editable=False
    )
    member = models.ForeignKey(
        "membership.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("member"),
    )
    membership = models.ForeignKey(
        "membership.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("membership"),
    )
    owner_confirmed_at = models.DateTimeField(
        _("email owner confirmed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the owner of the email, which already had a login or a member, confirmed "
            "that this application is theirs (empty for an email new to the co-op)."
        ),
    )
    submission_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_notified_status = models.CharField(max_length=30, blank=True, editable=False)
    # When its address was last told that a second application with it was not taken: at
    # most once a day (``application_duplicate_notify``).
    duplicate_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["steward", "email"],
                condition=Q(
                    status__in=[
                        "submitted",
                        "waitlisted",
                        "awaiting_assembly",
                        "awaiting_confirmation",
                    ]
                ),
                name="application_one_open_per_email_and_steward",
                violation_error_message=_(
                    "There is already an open application for this email at this steward."
                ),
            ),
            models.CheckConstraint(
                condition=Q(type="operational", service_level__isnull=True)
                | Q(type="user", service_level__isnull=False),
                name="application_level_only_for_users",
            ),
            models.CheckConstraint(
                condition=Q(kind="person") | ~Q(organisation_name=""),
                name="application_organisation_has_name",
            ),
        ]
        indexes = [models.Index(fields=["steward", "status"])]

    def __str__(self):
        return f"{self.display_name} → {self.steward}"

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANISATION and self.organisation_name:
            return f"{self.organisation_name} ({self.name})"
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_undecided(self) -> bool:
        return self.status in self.UNDECIDED

    @property
    def decision_reason_words(self) -> str:
        """Why it was last decided, in the active language."""
        return decision_reason_words(
            self.decision_reason_code, self.decision_reason_params, self.decision_reason
        )

    @property
    def is_rejectable(self) -> bool:
        """Whether a steward's admin may still reject it (one waiting for its email's owner
        included)."""
        return self.status in self.REJECTABLE


class ApplicationDecision(AppendOnlyModel):
    """One change of an application's status: who, when, from what to what, and why."""

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("application"),
    )
    status_from = models.CharField(
        _("from"), max_length=30, choices=Application.Status.choices, blank=True
    )
    status_to = models.CharField(_("to"), max_length=30, choices=Application.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    # A reason the system gave (see ``Application.decision_reason_code``).
    reason_code = models.CharField(
        _("code of the reason"), max_length=40, blank=True, editable=False
    )
    reason_params = models.JSONField(
        _("details of the reason"), default=dict, blank=True, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the applicant or the system acted."),
    )
    decided_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("application decision")
        verbose_name_plural = _("application decisions")
        ordering = ["decided_at", "id"]

    @property
    def reason_words(self) -> str:
        """Why, in the active language."""
        return decision_reason_words(self.reason_code, self.reason_params, self.reason)

    def __str__(self):
        return (
            f"{self.application_id}: {self.get_status_from_display() or '∅'} → "
            f"{self.get_status_to_display()}"
        )


# --- Fair Use and service concerns (issue 14) -------------------------------------------------


class Concern(models.Model):
    """A member's concern about a reseller's service or about a member's use under the Fair
    Use Agreement, followed by the co-op's admins (and, for a member's use, by the admins of
    the steward that serves that member) to a recorded outcome. Its steps are
    :class:`ConcernEntry` rows, which only grow; the concern itself is never deleted."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("a reseller's service")
        USE = "use", _("a member's use under the Fair Use Agreement")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DECIDED = "decided", _("decided")

    class Outcome(models.TextChoices):
        NO_ACTION = "no_action", _("no action")
        WARNING = "warning", _("warning")
        SUSPENSION = "suspension", _("suspension")

    kind = models.CharField(_("about"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    steward = models.ForeignKey(
        Steward,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_concerns",
        verbose_name=_("reseller concerned"),
    )
    member = models.ForeignKey(
        "membership.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name=_("member concerned"),
        help_text=_("Empty when the email given belongs to no member."),
    )
    member_email = models.EmailField(_("email given for the member"), blank=True)
    followed_by = models.ForeignKey(
        Steward,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_concerns",
        verbose_name=_("steward following it"),
        help_text=_("The steward that serves the member concerned; its admins follow it too."),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_for = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reporting member"),
    )
    description = models.TextField(_("description"))
    evidence = models.TextField(_("evidence"), blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_text = models.TextField(
        _("outcome, in words the person concerned understands"), blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    opened_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="service") & Q(steward__isnull=False) & Q(member__isnull=True))
                | (Q(kind="use") & Q(steward__isnull=True) & ~Q(member_email="")),
                name="concern_names_its_subject",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(outcome="") & Q(decided_at__isnull=True))
                | (Q(status="decided") & ~Q(outcome="") & Q(decided_at__isnull=False)),
                name="concern_decided_has_outcome",
            ),
        ]

    def __str__(self):
        return _("Concern %(number)s") % {"number": self.pk}

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows can't be deleted.")

    @property
    def subject_name(self) -> str:
        """Whom it is about, as the co-op's admins read it."""
        if self.kind == self.Kind.SERVICE:
            return self.steward.name
        return self.member.display_name if self.member_id else self.member_email


class ConcernEntry(AppendOnlyModel):
    """One step of a concern: opened, answered by the person concerned, decided. Written once,
    never changed or deleted."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        ANSWER = "answer", _("answer")
        OUTCOME = "outcome", _("outcome")

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, related_name="entries", verbose_name=_("concern")
    )
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("concern entry")
        verbose_name_plural = _("concern entries")
        ordering = ["written_at", "id"]

    def __str__(self):
        return f"{self.concern} · {self.get_kind_display()}"
