"""Members, their contact logins, and their memberships."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from meetcoop.core.languages import language_choices

from .policy import ServiceLevel


class Member(models.Model):
    """A person or an organisation. Contacts are the logins that act for it."""

    class Kind(models.TextChoices):
        PERSON = "person", _("individual")
        ORGANISATION = "organisation", _("organisation")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("The person's full name."))
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), help_text=_("Where the co-op writes to this member."))
    postal_address = models.TextField(
        _("postal address"),
        blank=True,
        max_length=500,
        help_text=_("Kept in the register of members; optional."),
    )
    country = CountryField(_("country"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=language_choices, default="en"
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
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="contact_links", verbose_name=_("member")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_links",
        verbose_name=_("user"),
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
        # A label in a column or a menu; a sentence names the membership whole (type_title).
        OPERATIONAL = "operational", pgettext_lazy("membership type", "operational")
        USER = "user", pgettext_lazy("membership type", "user")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACTIVE = "active", _("active")
        LAPSED = "lapsed", _("lapsed")
        SUSPENDED = "suspended", _("suspended")
        ENDED = "ended", _("ended")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("member")
    )
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
    # What the nightly job reads to evaluate only what may have changed (docs/nightly-job.md).
    # Neither has an index: the nightly run reads them in one scan of the table, and an index
    # would turn the job's nightly updates of these rows from in-place (HOT) into index work.
    facts_changed_at = models.DateTimeField(
        _("facts changed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When something the status rules read of this membership last changed."),
    )
    next_check_on = models.DateField(
        _("next check"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The first day on which time alone can change this membership's status or warn "
            "its member; empty until the nightly job has evaluated it."
        ),
    )

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
    def type_title(self) -> str:
        """The membership's name as a whole phrase ("User membership"), never an adjective
        glued to a noun: each language words it its own way."""
        if self.type == self.Type.OPERATIONAL:
            return _("Operational membership")
        return _("User membership")

    @property
    def policy_date(self):
        """The day whose policy binds this membership's commitment: applied, else admitted,
        else created. In SQL: ``membership.selectors.policy_day_expression()``."""
        # The day of ``created_at`` in the current time zone, as TruncDate reads it in SQL.
        return self.applied_on or self.admitted_on or timezone.localdate(self.created_at)
