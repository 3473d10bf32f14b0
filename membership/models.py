"""Members, their memberships, service levels, the dated policy and the terms they accept."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from meetcoop.core.models import AppendOnlyModel
from meetcoop.core.money import MONEY_FIELD, CurrencyField, Money, round_money


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
    commitment_deadline_days = models.PositiveIntegerField(
        _("commitment deadline (days after admission)")
    )
    attendance_minimum_percent = models.DecimalField(
        _("All Hands attendance minimum (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    attendance_window_days = models.PositiveIntegerField(_("attendance window (days)"))
    revenue_share_percent = models.DecimalField(
        _("reseller revenue share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    revenue_report_due_days = models.PositiveIntegerField(
        _("revenue report due (days after quarter end)")
    )
    dues_grace_days = models.PositiveIntegerField(_("dues grace period (days)"))
    terms_acceptance_days = models.PositiveIntegerField(_("terms acceptance period (days)"))
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
        return _("Policy in force from %(date)s") % {"date": self.effective_from.isoformat()}

    @property
    def hour_value(self) -> Decimal:
        """What one hour of labour counts for against the commitment (never set by anyone)."""
        return round_money(self.commitment_money / self.commitment_hours)

    @property
    def commitment(self) -> Money:
        return Money(self.commitment_money, self.currency)


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


class Member(models.Model):
    """A person or an organisation. Contacts are the logins that act for it."""

    class Kind(models.TextChoices):
        PERSON = "person", _("individual")
        ORGANISATION = "organisation", _("organisation")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("The person's full name."))
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), help_text=_("Where the co-op writes to this member."))
    country = CountryField(_("country"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="MemberContact",
        related_name="members",
        verbose_name=_("contact people"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name"]
        indexes = [models.Index(fields=["email"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="person") | ~Q(organisation_name=""),
                name="member_organisation_has_name",
                violation_error_message=_("An organisation needs its name."),
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANISATION and self.organisation_name:
            return self.organisation_name
        return self.name

    def clean(self):
        if self.kind == self.Kind.ORGANISATION and not self.organisation_name:
            raise ValidationError({"organisation_name": _("An organisation needs its name.")})


class MemberContact(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contact_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_links"
    )
    role = models.CharField(_("role"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        constraints = [
            models.UniqueConstraint(fields=["member", "user"], name="member_contact_unique")
        ]

    def __str__(self):
        return f"{self.user} → {self.member}"


class Membership(models.Model):
    """A member's standing in one type. One member may hold an operational and a user one."""

    class Type(models.TextChoices):
        OPERATIONAL = "operational", _("operational")
        USER = "user", _("user")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACTIVE = "active", _("active")
        LAPSED = "lapsed", _("lapsed")
        SUSPENDED = "suspended", _("suspended")
        ENDED = "ended", _("ended")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="memberships")
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    steward = models.ForeignKey(
        "resellers.Steward",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("steward"),
    )
    service_level = models.ForeignKey(
        ServiceLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("service level"),
    )
    applied_on = models.DateField(
        _("applied on"),
        null=True,
        blank=True,
        help_text=_("The policy in force on this day sets the commitment."),
    )
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["member__name", "type"]
        # No index mentions ``status``: the nightly job moves thousands of memberships between
        # active and lapsed, and on PostgreSQL such an update rewrites the row in place on its
        # page (a HOT update, helped by the table's fillfactor) instead of adding an entry to
        # every index. "Open" is therefore read from ``ended_on``, which is set exactly when a
        # membership ends (the second constraint).
        constraints = [
            models.UniqueConstraint(
                fields=["member", "type"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_per_type",
                violation_error_message=_("This member already holds a membership of this type."),
            ),
            models.CheckConstraint(
                condition=Q(status="ended", ended_on__isnull=False)
                | (~Q(status="ended") & Q(ended_on__isnull=True)),
                name="membership_ended_on_iff_ended",
                violation_error_message=_(
                    "An ended membership needs the day it ended, and only it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(type="operational", service_level__isnull=True)
                | Q(type="user", service_level__isnull=False),
                name="membership_level_only_for_users",
                violation_error_message=_(
                    "A user membership needs a service level; an operational one has none."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_type_display()}"

    @property
    def policy_date(self):
        """The day whose policy binds this membership's commitment: applied, else admitted,
        else created. In SQL: ``membership.selectors.policy_day_expression()``."""
        # The day of ``created_at`` in the current time zone, as TruncDate reads it in SQL.
        return self.applied_on or self.admitted_on or timezone.localdate(self.created_at)


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
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="terms_acceptances")
    terms_version = models.ForeignKey(
        TermsVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when accepted on the application form, before any login existed."),
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


class StatusChange(AppendOnlyModel):
    """One change of a membership's status: when, from what to what, by whom, and why.

    ``reasons`` is a list of ``{"code", "ok", "params"}``; the words are rendered in the
    reader's language by ``membership.reasons.reason_text``.
    """

    class Source(models.TextChoices):
        NIGHTLY = "nightly", _("nightly job")
        ON_DEMAND = "on_demand", _("recompute on demand")
        PERSON = "person", _("a person")
        APPLICATION = "application", _("application decision")

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="status_changes"
    )
    old_status = models.CharField(_("from"), max_length=10, choices=Membership.Status.choices)
    new_status = models.CharField(_("to"), max_length=10, choices=Membership.Status.choices)
    effective_on = models.DateField(_("on"))
    changed_at = models.DateTimeField(_("recorded"), default=timezone.now)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    run = models.ForeignKey(
        "StatusRun", null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    reasons = models.JSONField(_("reasons"), default=list, encoder=DjangoJSONEncoder)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["effective_on", "new_status"])]

    def __str__(self):
        return f"{self.membership}: {self.old_status} → {self.new_status} ({self.effective_on})"


class StatusRun(models.Model):
    """One run of the status recompute, so that a job that stopped running shows."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped: another run held the lock")

    on = models.DateField(_("evaluated for"))
    source = models.CharField(_("source"), max_length=12, choices=StatusChange.Source.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    evaluated = models.PositiveIntegerField(_("evaluated"), default=0)
    became_active = models.PositiveIntegerField(_("became active"), default=0)
    lapsed = models.PositiveIntegerField(_("lapsed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    seconds = models.DecimalField(_("seconds"), max_digits=9, decimal_places=3, null=True)
    notified_through = models.BigIntegerField(
        _("emails sent up to change"),
        default=0,
        help_text=_("The members of this run's changes up to this id have been emailed."),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("status run")
        verbose_name_plural = _("status runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.on} {self.get_state_display()}"


class StatusNotice(models.Model):
    """An email about a membership's status that is not one of a run's changes (those are
    sent from the changes themselves): an at-risk warning, or a change made by a person.
    Kept so that each is sent only once."""

    class Kind(models.TextChoices):
        CHANGED = "changed", _("status changed")
        AT_RISK = "at_risk", _("at risk")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cause = models.CharField(
        _("cause"),
        max_length=120,
        help_text=_("What the notice is about; one notice per cause."),
    )
    reasons = models.JSONField(
        _("reasons"),
        default=list,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=_("What the email explains, as stored reasons."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("status notice")
        verbose_name_plural = _("status notices")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind", "cause"], name="status_notice_once_per_cause"
            )
        ]

    def __str__(self):
        return f"{self.membership}: {self.kind} {self.cause}"
