"""Circles (sociocratic working groups) and who sits in them; meetings and attendance;
proposals, their electorate and stances; governance documents and their adopted versions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetcoop.core.dates import date_medium
from meetcoop.core.models import AppendOnlyModel
from meetcoop.core.money import CurrencyField, Money
from membership.models import TermsVersion

# A governance document, or a proposal's text, is at most this many characters: a long
# constitution is a tenth of it, and each page that shows one renders it and diffs it.
DOCUMENT_TEXT_MAX = 200_000


class Circle(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    purpose = models.TextField(_("purpose"), blank=True)

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CircleRole(models.Model):
    """A member's seat in a circle, as coordinator or member, from a start to an end date."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        MEMBER = "member", _("member")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="roles", verbose_name=_("circle")
    )
    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="circle_roles",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(pgettext_lazy("seat held", "from"))
    ended_on = models.DateField(pgettext_lazy("seat held", "until"), null=True, blank=True)

    class Meta:
        verbose_name = _("circle seat")
        verbose_name_plural = _("circle seats")
        ordering = ["circle", "role", "member__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="circle_role_ends_after_start",
                violation_error_message=_("A seat can't end before it starts."),
            )
        ]
        indexes = [models.Index(fields=["member", "started_on", "ended_on"])]

    def __str__(self):
        return f"{self.member} · {self.circle} ({self.get_role_display()})"

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A seat can't end before it starts.")})


class Meeting(models.Model):
    """An All Hands Meeting (co-op wide) or a meeting of one circle."""

    class Kind(models.TextChoices):
        ALL_HANDS = "all_hands", _("All Hands Meeting")
        CIRCLE = "circle", _("circle meeting")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    circle = models.ForeignKey(
        Circle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("circle"),
        help_text=_("Only for a circle meeting."),
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"), db_index=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes_url = models.URLField(_("minutes link"), blank=True)
    attendance_recorded_at = models.DateTimeField(
        _("attendance recorded"),
        null=True,
        blank=True,
        help_text=_("A meeting counts for attendance rates once its attendance is recorded."),
    )
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("attendance recorded by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="all_hands", circle__isnull=True)
                | Q(kind="circle", circle__isnull=False),
                name="meeting_circle_only_for_circle_meetings",
                violation_error_message=_(
                    "A circle meeting needs its circle; an All Hands Meeting has none."
                ),
            )
        ]
        indexes = [models.Index(fields=["kind", "held_on"])]

    def __str__(self):
        return f"{self.title} ({date_medium(self.held_on)})"

    def clean(self):
        if self.kind == self.Kind.CIRCLE and not self.circle_id:
            raise ValidationError({"circle": _("A circle meeting needs its circle.")})
        if self.kind == self.Kind.ALL_HANDS and self.circle_id:
            raise ValidationError({"circle": _("An All Hands Meeting belongs to no circle.")})


class Attendance(models.Model):
    """A member was present at a meeting (absence is the lack of a row)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("member"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]
        indexes = [models.Index(fields=["member", "meeting"])]

    def __str__(self):
        return f"{self.member} @ {self.meeting}"


class GovernanceDocument(models.Model):
    """A document the co-op governs itself by. Its text lives in versions, each one adopted
    by a proposal; the document itself is never edited in place.

    Its settings (set by co-op admins, audited by ``document_settings_set``): whether anyone may
    read it, whether it is the membership page, its responsible circle and who decides a change
    to it (``decided_by``)."""

    class DecidedBy(models.TextChoices):
        ASSEMBLY = "assembly", _("the whole Assembly (all members with voting rights)")
        CIRCLE = "circle", _("the responsible circle")

    title = models.CharField(_("title"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    current_version = models.OneToOneField(
        "DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("current version"),
        help_text=_("Set only by adopting a proposal."),
    )
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_(
            "Anyone may read its version in force and its adopted versions, signed in or not."
        ),
    )
    membership_page = models.BooleanField(
        _("the membership page"),
        default=False,
        help_text=_(
            "Its version in force is the public page “How to become a member”. One document at "
            "most; it must be public."
        ),
    )
    responsible_circle = models.ForeignKey(
        Circle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("responsible circle"),
    )
    decided_by = models.CharField(
        _("a change is decided by"),
        max_length=10,
        choices=DecidedBy.choices,
        default=DecidedBy.ASSEMBLY,
        help_text=_(
            "A proposal to change the document gets this electorate; no other is accepted."
        ),
    )
    members_accept = models.CharField(
        _("members accept it as"),
        max_length=20,
        blank=True,
        choices=TermsVersion.Document.choices,
        help_text=_(
            "Each version adopted is published as the next version of these terms, which user "
            "members must accept within the terms acceptance period. Once one is chosen, those "
            "terms change only by a proposal adopted here. One document at most for each."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("governance document")
        verbose_name_plural = _("governance documents")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["members_accept"],
                condition=~Q(members_accept=""),
                name="one_document_per_accepted_terms",
                violation_error_message=_(
                    "Another document is already the one members accept as these terms."
                ),
            ),
            models.UniqueConstraint(
                fields=["membership_page"],
                condition=Q(membership_page=True),
                name="one_membership_page_document",
                violation_error_message=_("Another document is already the membership page."),
            ),
            models.CheckConstraint(
                condition=Q(membership_page=False) | Q(public=True),
                name="membership_page_document_is_public",
                violation_error_message=_("The membership page must be a public document."),
            ),
            models.CheckConstraint(
                condition=~Q(decided_by="circle") | Q(responsible_circle__isnull=False),
                name="circle_decided_document_names_its_circle",
                violation_error_message=_(
                    "A document decided by its circle needs its responsible circle."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.membership_page and not self.public:
            errors["public"] = _("The membership page must be a public document.")
        if self.decided_by == self.DecidedBy.CIRCLE and not self.responsible_circle_id:
            errors["responsible_circle"] = _(
                "A document decided by its circle needs its responsible circle."
            )
        if errors:
            raise ValidationError(errors)


class DocumentVersion(AppendOnlyModel):
    """One adopted text of a document, linked to the proposal that adopted it."""

    document = models.ForeignKey(
        GovernanceDocument,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("document"),
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text (Markdown)"), max_length=DOCUMENT_TEXT_MAX)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    proposal = models.OneToOneField(
        "Proposal",
        on_delete=models.PROTECT,
        related_name="adopted_version",
        verbose_name=_("adopted by"),
    )
    adopted_at = models.DateTimeField(_("adopted"), default=timezone.now)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class Proposal(models.Model):
    """A question put to an electorate: agree, abstain or block, until the closing time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Electorate(models.TextChoices):
        ALL = "all", _("all members with voting rights (Permanent Assembly)")
        OPERATIONAL = "operational", _("operational members (Permanent Assembly)")
        CIRCLE = "circle", _("the members of one circle")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text (Markdown)"), max_length=DOCUMENT_TEXT_MAX)
    electorate = models.CharField(
        _("electorate"), max_length=12, choices=Electorate.choices, default=Electorate.ALL
    )
    circle = models.ForeignKey(
        Circle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("circle"),
    )
    quorum_percent = models.DecimalField(
        _("quorum (percentage of the electorate that must vote)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    document = models.ForeignKey(
        GovernanceDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("document it changes"),
    )
    new_text = models.TextField(
        _("new text of the document (Markdown)"), blank=True, max_length=DOCUMENT_TEXT_MAX
    )
    base_version = models.ForeignKey(
        DocumentVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("based on version"),
        help_text=_("The document's current version when the proposal opened."),
    )
    # The application this proposal admits (resellers.Application). A plain id so governance
    # does not depend on the applications code; see governance.services.admission.
    admission_application_id = models.PositiveIntegerField(
        _("admission of application"), null=True, blank=True, unique=True
    )
    # The application for a waged role this proposal decides (governance.services.roles):
    # adopted, the member holds the role from the closing day; otherwise it is declined.
    role_application = models.OneToOneField(
        "RoleApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
        verbose_name=_("decides the role application"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    opens_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True, db_index=True)
    content_sha256 = models.CharField(
        _("SHA-256 of the frozen text"), max_length=64, blank=True, editable=False
    )
    # Filled when it closes.
    closed_at = models.DateTimeField(pgettext_lazy("time", "closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(_("why"), max_length=300, blank=True)
    # What the reason says, as a code and its numbers: worded in each reader's language.
    outcome_code = models.CharField(max_length=20, blank=True, editable=False)
    outcome_params = models.JSONField(default=dict, blank=True, editable=False)
    electorate_size = models.PositiveIntegerField(_("electorate size"), default=0)
    agree_count = models.PositiveIntegerField(_("agree"), default=0)
    abstain_count = models.PositiveIntegerField(_("abstain"), default=0)
    block_count = models.PositiveIntegerField(_("block"), default=0)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-closes_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(electorate="circle", circle__isnull=False)
                | (~Q(electorate="circle") & Q(circle__isnull=True)),
                name="proposal_circle_only_for_circle_electorate",
                violation_error_message=_("Choose the circle when, and only when, it decides."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(opens_at__isnull=False, closes_at__isnull=False),
                name="proposal_open_has_times",
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self):
        return self.title

    @property
    def outcome_text(self) -> str:
        """Why it was adopted or rejected, in the active language (for a proposal closed
        before reasons were stored as a code: the words stored then)."""
        if not self.outcome_code:
            return self.outcome_reason
        from .selectors.proposals import outcome_words

        return outcome_words(self.outcome_code, self.outcome_params)

    def clean(self):
        errors = {}
        if self.electorate == self.Electorate.CIRCLE and not self.circle_id:
            errors["circle"] = _("Choose the circle that decides.")
        if self.electorate != self.Electorate.CIRCLE and self.circle_id:
            errors["circle"] = _("Only a circle proposal names a circle.")
        if self.document_id and not self.new_text.strip():
            errors["new_text"] = _("Give the new text of the document.")
        if self.new_text.strip() and not self.document_id:
            errors["document"] = _("Choose the document this new text is for.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_admission(self) -> bool:
        return self.admission_application_id is not None


class Voter(models.Model):
    """One member of a proposal's electorate, fixed when it opens, with its current stance.

    Every stance cast is also kept in ``StanceRecord`` (append-only); this row holds the latest,
    which is the one the tally counts.
    """

    class Stance(models.TextChoices):
        AGREE = "agree", _("Agree")
        ABSTAIN = "abstain", _("Abstain")
        BLOCK = "block", _("Block")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="voters", verbose_name=_("proposal")
    )
    member = models.ForeignKey(
        "membership.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    stance_at = models.DateTimeField(_("stance updated"), null=True, blank=True)
    stance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cast by"),
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    # When each email reached (was handed to the mail server for) this voter: a task run
    # twice writes to nobody twice (``meetcoop.core.mail.send_once_each``).
    opened_emailed_at = models.DateTimeField(
        _("opening email sent"), null=True, blank=True, editable=False
    )
    reminder_emailed_at = models.DateTimeField(
        _("reminder email sent"), null=True, blank=True, editable=False
    )
    outcome_emailed_at = models.DateTimeField(
        _("outcome email sent"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("electorate")
        ordering = ["proposal", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="voter_once"),
            models.CheckConstraint(
                condition=~Q(stance="block") | ~Q(reason=""),
                name="voter_block_has_reason",
                violation_error_message=_("A block needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.proposal}"


class StanceRecord(AppendOnlyModel):
    """Every stance ever cast, in order (the history behind ``Voter.stance``)."""

    voter = models.ForeignKey(
        Voter, on_delete=models.PROTECT, related_name="history", verbose_name=_("voter")
    )
    stance = models.CharField(_("stance"), max_length=8, choices=Voter.Stance.choices)
    reason = models.TextField(_("reason"), blank=True)
    cast_at = models.DateTimeField(_("cast"), default=timezone.now)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cast by"),
    )

    class Meta:
        verbose_name = _("stance record")
        verbose_name_plural = _("stance history")
        ordering = ["voter", "cast_at", "id"]

    def __str__(self):
        return f"{self.voter}: {self.get_stance_display()}"


class PublicListing(models.Model):
    """An operational member's consent to be listed on the public list of members, with what it
    shows. Shown only while ``listed`` and while the member's operational membership is active;
    written by ``listing_set`` (audited)."""

    member = models.OneToOneField(
        "membership.Member",
        on_delete=models.CASCADE,
        related_name="public_listing",
        verbose_name=_("member"),
    )
    listed = models.BooleanField(_("listed publicly"), default=False)
    display_name = models.CharField(_("name shown"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    offer = models.CharField(_("what we offer"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("public listing")
        verbose_name_plural = _("public listings")
        ordering = ["display_name"]
        indexes = [models.Index(fields=["listed", "display_name"])]

    def __str__(self):
        return self.display_name


# --- Waged roles ------------------------------------------------------------------------------


class WagedRole(models.Model):
    """Paid work the co-op (or one of its circles) offers its operational members: what, how
    many hours, for what pay, until when people may apply. Hours worked in the role are paid
    by the role: they never count toward a member's voluntary commitment."""

    title = models.CharField(_("title"), max_length=200)
    circle = models.ForeignKey(
        Circle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waged_roles",
        verbose_name=_("circle"),
        help_text=_("Empty: a role of the whole co-op."),
    )
    description = models.TextField(_("description"))
    hours_per_month = models.DecimalField(
        _("hours a month"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    pay_per_month = models.DecimalField(
        _("pay a month"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = CurrencyField(default="EUR")
    closes_on = models.DateField(_("applications close on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("waged role")
        verbose_name_plural = _("waged roles")
        ordering = ["-closes_on", "title"]

    def __str__(self):
        return self.title

    @property
    def pay(self) -> Money:
        return Money(self.pay_per_month, self.currency)

    def is_open(self, on) -> bool:
        return self.closes_on >= on


class RoleApplication(models.Model):
    """A member's application for a waged role; decided once, by a coordinator of the role's
    circle or a co-op admin."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("role application", "waiting for a decision")
        ACCEPTED = "accepted", pgettext_lazy("role application", "accepted")
        DECLINED = "declined", pgettext_lazy("role application", "declined")

    role = models.ForeignKey(
        WagedRole, on_delete=models.PROTECT, related_name="applications", verbose_name=_("role")
    )
    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="role_applications",
        verbose_name=_("member"),
    )
    statement = models.TextField(_("why you, for this role"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("role application")
        verbose_name_plural = _("role applications")
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(fields=["role", "member"], name="role_application_once")
        ]

    def __str__(self):
        return f"{self.member} → {self.role}"

    @property
    def decision_words(self) -> str:
        """Why it was decided, in the active language: the note of whoever decided, else the
        outcome of the proposal that decided it (kept as a code on the proposal)."""
        if self.decision_note or not hasattr(self, "proposal"):
            return self.decision_note
        return self.proposal.outcome_text if self.proposal.outcome else ""


class RoleHolder(models.Model):
    """Who holds a waged role, from when (the day the application was accepted) until when."""

    role = models.ForeignKey(
        WagedRole, on_delete=models.PROTECT, related_name="holders", verbose_name=_("role")
    )
    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="waged_roles_held",
        verbose_name=_("member"),
    )
    application = models.OneToOneField(
        RoleApplication,
        on_delete=models.PROTECT,
        related_name="holding",
        verbose_name=_("application"),
    )
    started_on = models.DateField(pgettext_lazy("role held", "from"))
    ended_on = models.DateField(pgettext_lazy("role held", "until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role holder")
        verbose_name_plural = _("role holders")
        ordering = ["-started_on"]

    def __str__(self):
        return f"{self.member} · {self.role}"
