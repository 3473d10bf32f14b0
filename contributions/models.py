"""Contribution ledger, dues invoices and payments, reseller revenue reports and payments.

The ledger only grows. A ledger entry starts ``pending``; once approved or rejected it is never
changed or deleted (model, queryset, admin and, on PostgreSQL, a trigger). A correction is a
reversing entry pointing at the original.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.banking import rf_reference, validate_iban
from meetcoop.core.dates import date_medium
from meetcoop.core.models import AppendOnlyError, AppendOnlyModel
from meetcoop.core.money import MONEY_FIELD, CurrencyField, Money

from .reasons import system_words

RATE_FIELD = {"max_digits": 14, "decimal_places": 6}
HOURS_FIELD = {"max_digits": 5, "decimal_places": 2}
MIN_HOURS = Decimal("0.25")
MAX_HOURS = Decimal("24")


class LedgerEntryQuerySet(models.QuerySet):
    """Bulk writes may touch pending rows only; a decided row is never changed or deleted."""

    def _refuse_decided(self, verb: str):
        if self.exclude(status=LedgerEntry.Status.PENDING).exists():
            raise AppendOnlyError(f"Decided ledger entries can't be {verb}.")

    def update(self, **kwargs):
        self._refuse_decided("changed")
        # One UPDATE of the rows still pending: a row decided since the check above (by a
        # concurrent approval) is left as it is.
        pending = self.filter(status=LedgerEntry.Status.PENDING)
        return super(LedgerEntryQuerySet, pending).update(**kwargs)

    def delete(self):
        self._refuse_decided("deleted")
        return super().delete()

    def bulk_create(
        self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False, **kwargs
    ):
        # An "upsert" would overwrite the row of that id, decided or not: never for the ledger.
        if update_conflicts:
            raise AppendOnlyError("Ledger entries are never overwritten by bulk_create.")
        return super().bulk_create(
            objs, batch_size=batch_size, ignore_conflicts=ignore_conflicts, **kwargs
        )

    update.queryset_only = True
    delete.queryset_only = True

    def approved(self):
        return self.filter(status=LedgerEntry.Status.APPROVED)


class LedgerEntry(models.Model):
    """One contribution credited to one member: money, an in-kind resource, or labour hours."""

    class Kind(models.TextChoices):
        MONEY = "money", _("money")
        RESOURCE = "resource", _("resource")
        LABOUR = "labour", _("labour")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("credited member"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(
        _("date"), help_text=_("The day the work was done or the money or resource was given.")
    )
    description = models.TextField(_("what was given or done"))
    # What the system wrote itself (a reversal's description, a provider's refund), stored as a
    # code of ``contributions.reasons`` with its parameters and worded when read; empty for
    # what a person typed, kept as typed.
    description_code = models.CharField(
        _("code of the description"), max_length=40, blank=True, default="", editable=False
    )
    description_params = models.JSONField(
        _("details of the description"), default=dict, blank=True, editable=False
    )
    # Money: the amount in its own currency, the rate used and the value it counts for.
    amount = models.DecimalField(_("amount"), **MONEY_FIELD, null=True, blank=True)
    currency = CurrencyField(blank=True, default="")
    eur_rate = models.DecimalField(
        _("EUR rate"),
        **RATE_FIELD,
        null=True,
        blank=True,
        help_text=_("Euros for one unit of the currency, on the day it was received."),
    )
    eur_value = models.DecimalField(
        _("value (EUR)"),
        **MONEY_FIELD,
        default=Decimal("0.00"),
        help_text=_("Computed once when the entry is recorded; labour is valued by the policy."),
    )
    # Labour.
    hours = models.DecimalField(_("hours"), **HOURS_FIELD, default=Decimal("0.00"))
    circle = models.ForeignKey(
        "governance.Circle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("circle"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
        help_text=_("Empty when the system recorded it from a payment provider's message."),
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    reason = models.TextField(_("reason for the reversal"), blank=True)
    reason_code = models.CharField(
        _("code of the reason"), max_length=40, blank=True, default="", editable=False
    )
    reason_params = models.JSONField(
        _("details of the reason"), default=dict, blank=True, editable=False
    )
    # Labour done in a waged role: paid by the role, never voluntary, never owed on top.
    waged_role = models.ForeignKey(
        "governance.WagedRole",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("waged role"),
    )
    # Labour agreed in advance as paid work: owed at the policy's rate, never voluntary.
    # Where a money entry came from, once (see ``DuesPayment.source_key``).
    source_key = models.CharField(_("source"), max_length=200, blank=True, default="")
    # A money entry that pays (part of) an operational member's pledge invoice.
    pledge_invoice = models.ForeignKey(
        "PledgeInvoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("pays the pledge invoice"),
    )
    paid_work = models.BooleanField(
        _("agreed in advance as paid work"),
        default=False,
        db_default=False,
        help_text=_(
            "These hours are owed by the co-op at the policy's rate and do not count toward "
            "the member's voluntary commitment."
        ),
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["member", "status", "kind"]),
            models.Index(fields=["circle", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="labour")
                | Q(
                    reverses__isnull=True,
                    hours__gte=MIN_HOURS,
                    hours__lte=MAX_HOURS,
                    circle__isnull=False,
                )
                | Q(reverses__isnull=False, hours__lte=-MIN_HOURS, hours__gte=-MAX_HOURS),
                name="ledger_labour_hours_plausible",
            ),
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="ledger_entry_source_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="labour")
                | Q(reverses__isnull=True, eur_value__gt=0)
                | Q(reverses__isnull=False, eur_value__lt=0),
                name="ledger_value_positive_unless_reversal",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="ledger_decision_has_time",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.LABOUR:
            what = _("%(hours)s h") % {"hours": self.hours}
        else:
            what = f"{self.eur_value} EUR"
        return f"#{self.pk} {self.get_kind_display()} {what} · {self.member}"

    def save(self, *args, **kwargs):
        # Also a new instance given the id of a decided row: Django would UPDATE that row.
        if self.pk is not None and self._decided_in_db():
            raise AppendOnlyError(_("An approved or rejected ledger entry can't be changed."))
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        if self._decided_in_db():
            raise AppendOnlyError(_("An approved or rejected ledger entry can't be deleted."))
        return super().delete(*args, **kwargs)

    def refresh_from_db(self, using=None, fields=None, **kwargs):
        super().refresh_from_db(using=using, fields=fields, **kwargs)
        if fields is None or "status" in fields:
            self._loaded_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = getattr(instance, "status", None)
        return instance

    def _decided_in_db(self) -> bool:
        """Decided when loaded, or decided since by someone else (a stale copy may not win)."""
        if self.is_decided:
            return True
        return type(self).objects.filter(pk=self.pk).exclude(status=self.Status.PENDING).exists()

    @property
    def is_decided(self) -> bool:
        return getattr(self, "_loaded_status", self.Status.PENDING) != self.Status.PENDING

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def description_words(self) -> str:
        """What was given or done, in the reader's language when the system wrote it."""
        return system_words(self.description_code, self.description_params, self.description)

    @property
    def reason_words(self) -> str:
        """Why it was reversed, in the reader's language when the system wrote it."""
        return system_words(self.reason_code, self.reason_params, self.reason)


class DuesInvoice(models.Model):
    """What a user membership owes for one period of its service level."""

    membership = models.ForeignKey(
        "membership.Membership",
        on_delete=models.PROTECT,
        related_name="dues_invoices",
        verbose_name=_("membership"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = CurrencyField()
    due_on = models.DateField(_("due on"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    # The ISO 11649 creditor reference the member quotes when paying; fixed by the membership
    # and the period (``reference_for``), so it is known before the row is saved.
    reference = models.CharField(_("payment reference"), max_length=25, unique=True, editable=False)
    # When its member was reminded (``contributions.services.reminders``), once each.
    reminded_before_due_at = models.DateTimeField(
        _("reminded before the due date"), null=True, blank=True, editable=False
    )
    reminded_before_grace_end_at = models.DateTimeField(
        _("reminded before the grace period ends"), null=True, blank=True, editable=False
    )
    # When those reminders' emails went out: the task that writes them, run twice, writes to
    # nobody twice (``meetcoop.core.mail.send_once_each``).
    emailed_before_due_at = models.DateTimeField(
        _("reminder before the due date emailed"), null=True, blank=True, editable=False
    )
    emailed_before_grace_end_at = models.DateTimeField(
        _("reminder before the grace period ends emailed"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("dues invoice")
        verbose_name_plural = _("dues invoices")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "period_start"], name="dues_invoice_once_per_period"
            )
        ]

    def __str__(self):
        return _("Dues %(start)s – %(end)s") % {
            "start": date_medium(self.period_start),
            "end": date_medium(self.period_end),
        }

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = self.reference_for(self.membership_id, self.period_start)
        super().save(*args, **kwargs)

    @staticmethod
    def reference_for(membership_id: int, period_start) -> str:
        return rf_reference(f"D{membership_id}{period_start:%Y%m%d}")


class DuesPayment(AppendOnlyModel):
    """A payment received against a dues invoice, in the invoice's currency."""

    invoice = models.ForeignKey(
        DuesInvoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    amount = models.DecimalField(
        _("amount"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = CurrencyField()
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the system recorded it from a payment provider's message."),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    # Where it came from, once: a bank statement's entry or a provider's event
    # ("camt:<statement>:<entry>", "stripe:<event id>"); empty when typed in by hand.
    source_key = models.CharField(_("source"), max_length=200, blank=True, default="")
    # A payment recorded on the wrong invoice is moved (``dues_payment_move``): refunded whole
    # there, and recorded again here, pointing at it.
    moved_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moved_to",
        verbose_name=_("moved from"),
    )

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_positive"),
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="dues_payment_source_once"
            ),
        ]

    def __str__(self):
        return f"{Money(self.amount, self.currency)} · {date_medium(self.paid_on)}"


class PledgeInvoice(models.Model):
    """What an operational member pledged to pay in money, to pay by the commitment deadline.
    Paid by money entries of the ledger that point at it (``LedgerEntry.pledge_invoice``),
    which count toward the commitment like any approved money."""

    membership = models.OneToOneField(
        "membership.Membership",
        on_delete=models.PROTECT,
        related_name="pledge_invoice",
        verbose_name=_("membership"),
    )
    amount = models.DecimalField(
        _("amount"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = CurrencyField()
    due_on = models.DateField(_("due on"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    reference = models.CharField(_("payment reference"), max_length=25, unique=True, editable=False)
    reminded_before_due_at = models.DateTimeField(
        _("reminded before the due date"), null=True, blank=True, editable=False
    )
    emailed_before_due_at = models.DateTimeField(
        _("reminder before the due date emailed"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("pledge invoice")
        verbose_name_plural = _("pledge invoices")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_invoice_positive")
        ]

    def __str__(self):
        return _("Money pledged, due %(date)s") % {"date": date_medium(self.due_on)}

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = self.reference_for(self.membership_id)
        super().save(*args, **kwargs)

    @staticmethod
    def reference_for(membership_id: int) -> str:
        return rf_reference(f"P{membership_id}")


class ReminderEmail(models.Model):
    """One address a dues or pledge reminder was handed to the mail server for: the task
    that writes a reminder, run again after the server refused some of its addresses, writes
    to those only, never twice to the others (``contributions.services.reminders``).

    The address is kept as a keyed hash (``reminder_address``), never in clear: this table
    only answers "was this address written to", and holds nothing an erasure must find."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", _("before the due date")
        BEFORE_GRACE_END = "before_grace_end", _("before the grace period ends")
        PLEDGE_BEFORE_DUE = "pledge_before_due", _("pledge, before the due date")

    kind = models.CharField(_("reminder"), max_length=20, choices=Kind.choices)
    dues_invoice = models.ForeignKey(
        DuesInvoice,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_emails",
        verbose_name=_("dues invoice"),
    )
    pledge_invoice = models.ForeignKey(
        PledgeInvoice,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_emails",
        verbose_name=_("pledge invoice"),
    )
    address = models.CharField(_("address (keyed hash)"), max_length=64)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder email")
        verbose_name_plural = _("reminder emails")
        constraints = [
            models.CheckConstraint(
                condition=Q(dues_invoice__isnull=False, pledge_invoice__isnull=True)
                | Q(dues_invoice__isnull=True, pledge_invoice__isnull=False),
                name="reminder_email_one_invoice",
            ),
            models.UniqueConstraint(
                fields=["dues_invoice", "kind", "address"],
                condition=Q(dues_invoice__isnull=False),
                name="reminder_email_once_per_dues_address",
            ),
            models.UniqueConstraint(
                fields=["pledge_invoice", "kind", "address"],
                condition=Q(pledge_invoice__isnull=False),
                name="reminder_email_once_per_pledge_address",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.dues_invoice or self.pledge_invoice}"


class RevenueReport(AppendOnlyModel):
    """A reseller's resale revenue for one calendar quarter and the share it owes the co-op.

    The share is computed once, from the policy in force on the quarter's last day.
    """

    steward = models.ForeignKey(
        "resellers.Steward",
        on_delete=models.PROTECT,
        related_name="revenue_reports",
        verbose_name=_("reseller"),
    )
    quarter_start = models.DateField(_("quarter starting"))
    quarter_end = models.DateField(_("quarter ending"))
    revenue = models.DecimalField(
        _("resale revenue"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = CurrencyField()
    eur_rate = models.DecimalField(_("EUR rate"), **RATE_FIELD)
    revenue_eur = models.DecimalField(_("resale revenue (EUR)"), **MONEY_FIELD)
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    share_eur = models.DecimalField(_("share owed (EUR)"), **MONEY_FIELD)
    due_on = models.DateField(_("payment due on"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        verbose_name = _("revenue report")
        verbose_name_plural = _("revenue reports")
        ordering = ["-quarter_start", "steward__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["steward", "quarter_start"],
                name="revenue_report_once_per_quarter",
                violation_error_message=_("This quarter has already been reported."),
            ),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="revenue_not_negative"),
        ]

    def __str__(self):
        return _("%(steward)s · quarter from %(start)s") % {
            "steward": self.steward,
            "start": date_medium(self.quarter_start),
        }


class RevenueSharePayment(AppendOnlyModel):
    """A payment of a reseller's revenue share, in euros."""

    report = models.ForeignKey(
        RevenueReport,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("revenue report"),
    )
    amount_eur = models.DecimalField(
        _("amount (EUR)"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("revenue share payment")
        verbose_name_plural = _("revenue share payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gt=0), name="revenue_payment_positive")
        ]

    def __str__(self):
        return f"{Money(self.amount_eur, 'EUR')} · {date_medium(self.paid_on)}"


class Compensation(AppendOnlyModel):
    """What the co-op owes a member for approved hours: the hours beyond their commitment, or
    hours agreed in advance as paid work, at the rate of the policy in force the day the work
    was done. Written once, when the hours are approved; a reversal writes a row of the
    opposite sign that points at this one."""

    class Basis(models.TextChoices):
        BEYOND = "beyond", _("hours beyond the commitment")
        AGREED = "agreed", _("hours agreed as paid work")

    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="compensations",
        verbose_name=_("member"),
    )
    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="compensation",
        verbose_name=_("ledger entry"),
    )
    basis = models.CharField(_("why it is owed"), max_length=8, choices=Basis.choices)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    rate = models.DecimalField(_("rate per hour"), **MONEY_FIELD)
    amount = models.DecimalField(_("amount owed"), **MONEY_FIELD)
    currency = CurrencyField()
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("compensation owed")
        verbose_name_plural = _("compensation owed")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.member} · {Money(self.amount, self.currency)}"


class CompensationSettlement(AppendOnlyModel):
    """Compensation the co-op settled with a member: paid to them, or waived by them."""

    class Kind(models.TextChoices):
        PAID = "paid", _("paid to the member")
        WAIVED = "waived", _("waived by the member")

    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="compensation_settlements",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("settled by"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), **MONEY_FIELD, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = CurrencyField()
    settled_on = models.DateField(_("settled on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("compensation settlement")
        verbose_name_plural = _("compensation settlements")
        ordering = ["-settled_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="compensation_settlement_positive"
            )
        ]

    def __str__(self):
        return f"{self.member} · {Money(self.amount, self.currency)} · {self.get_kind_display()}"


# --- Issue 15: bank statements ----------------------------------------------------------------


class BankCsvMapping(models.Model):
    """How one bank's CSV export is read: which column holds what. Defined once per bank (and
    steward), remembered and offered at the next import; changed in place when the bank
    changes its export."""

    name = models.CharField(_("bank"), max_length=100)
    steward = models.ForeignKey(
        "resellers.Steward",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_csv_mappings",
        verbose_name=_("steward"),
        help_text=_("Empty for the co-op's own account."),
    )
    delimiter = models.CharField(_("column separator"), max_length=1, default=";")
    decimal_separator = models.CharField(_("decimal separator"), max_length=1, default=",")
    date_format = models.CharField(
        _("date format"),
        max_length=20,
        default="%d/%m/%Y",
        help_text=_("As Python's strptime reads it."),
    )
    date_column = models.CharField(_("date column"), max_length=100)
    amount_column = models.CharField(_("amount column"), max_length=100)
    currency_column = models.CharField(_("currency column"), max_length=100, blank=True)
    currency = CurrencyField(blank=True, default="")
    name_column = models.CharField(_("payer's name column"), max_length=100)
    reference_column = models.CharField(_("reference or remittance column"), max_length=100)
    entry_id_column = models.CharField(_("entry identifier column"), max_length=100, blank=True)
    # The account the exports are of: its entries are known by it, whichever mapping or format
    # brings them (two mappings of one account, or its CAMT files, never record a transfer
    # twice). Empty: the entries are known by the mapping.
    iban = models.CharField(
        _("account IBAN"),
        max_length=34,
        blank=True,
        default="",
        validators=[validate_iban],
        help_text=_(
            "The account these exports are of. Give it, and a transfer is recorded once even "
            "when the same account's statements also come under another mapping or as CAMT."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("defined by"),
    )
    created_at = models.DateTimeField(_("defined"), default=timezone.now)

    class Meta:
        verbose_name = _("bank CSV mapping")
        verbose_name_plural = _("bank CSV mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["steward", "name"],
                condition=Q(steward__isnull=False),
                name="bank_csv_mapping_name_per_steward",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(steward__isnull=True),
                name="bank_csv_mapping_name_coop",
            ),
            models.CheckConstraint(
                condition=~Q(currency_column="", currency=""),
                name="bank_csv_mapping_has_currency",
            ),
        ]

    def __str__(self):
        return self.name


class BankStatement(AppendOnlyModel):
    """A bank statement file imported once: who imported which file, for which steward."""

    class Format(models.TextChoices):
        CAMT = "camt", _("CAMT.053 (ISO 20022 XML)")
        CSV = "csv", _("CSV")

    steward = models.ForeignKey(
        "resellers.Steward",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_statements",
        verbose_name=_("steward"),
        help_text=_("Empty for the co-op's own account, imported by a treasurer."),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    statement_id = models.CharField(_("statement identifier"), max_length=200)
    iban = models.CharField(_("account IBAN"), max_length=34, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    mapping = models.ForeignKey(
        BankCsvMapping,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("CSV mapping"),
    )
    # Entries of the file already imported with an earlier statement of the same account.
    known_entries = models.PositiveIntegerField(_("entries already imported"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
        help_text=_("Empty when the system imported it (the command)."),
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["steward", "sha256"],
                condition=Q(steward__isnull=False),
                name="bank_statement_file_once_per_steward",
            ),
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(steward__isnull=True),
                name="bank_statement_file_once_coop",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} · {self.statement_id}"[:300]


class BankLine(AppendOnlyModel):
    """One entry of an imported statement. Its key is unique per account (and steward), so an
    entry imported again, with the same or an overlapping statement, is not stored twice."""

    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("statement")
    )
    steward = models.ForeignKey(
        "resellers.Steward",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("steward"),
    )
    # The IBAN (of the CAMT file, or the one its CSV mapping names), else the CSV mapping
    # ("csv:<id>") or the statement ("stmt:<id>") it was booked on.
    account = models.CharField(_("account"), max_length=80)
    entry_key = models.CharField(_("entry identifier"), max_length=120)
    position = models.PositiveIntegerField(_("position in the file"))
    booked_on = models.DateField(_("booked on"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = CurrencyField()
    is_credit = models.BooleanField(_("money in"))
    counterparty = models.CharField(_("name"), max_length=200, blank=True)
    remittance = models.TextField(_("remittance information"), blank=True)
    reference = models.CharField(_("structured reference"), max_length=35, blank=True)

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["steward", "account", "entry_key"],
                condition=Q(steward__isnull=False),
                name="bank_line_once_per_account_steward",
            ),
            models.UniqueConstraint(
                fields=["account", "entry_key"],
                condition=Q(steward__isnull=True),
                name="bank_line_once_per_account_coop",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_line_positive"),
        ]

    def __str__(self):
        return f"{date_medium(self.booked_on)} · {Money(self.amount, self.currency)}"

    @property
    def source_key(self) -> str:
        """Where a payment recorded from this line came from, once."""
        return f"bank:{self.account}:{self.entry_key}"[:200]


class BankLineDecision(AppendOnlyModel):
    """What was done with a statement line when the import was confirmed: a payment recorded
    against an invoice, or the line skipped. Once per line."""

    class Outcome(models.TextChoices):
        RECORDED = "recorded", _("payment recorded")
        SKIPPED = "skipped", _("skipped")

    line = models.OneToOneField(
        BankLine, on_delete=models.PROTECT, related_name="decision", verbose_name=_("line")
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    dues_invoice = models.ForeignKey(
        DuesInvoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dues invoice"),
    )
    pledge_invoice = models.ForeignKey(
        PledgeInvoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pledge invoice"),
    )
    dues_payment = models.ForeignKey(
        DuesPayment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dues payment"),
    )
    ledger_entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledger entry"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        help_text=_("Empty when the system recorded it (the command)."),
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("bank line decision")
        verbose_name_plural = _("bank line decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="skipped")
                | Q(dues_payment__isnull=False)
                | Q(ledger_entry__isnull=False),
                name="bank_line_decision_recorded_has_payment",
            )
        ]

    def __str__(self):
        return f"{self.line} · {self.get_outcome_display()}"


class OnlinePayment(AppendOnlyModel):
    """A payment a member started online with the co-op's provider (a Stripe Checkout
    Session), for one dues invoice or one pledge invoice. What became of it is told by the
    provider's events (``OnlinePaymentEvent``); its status is the latest of them
    (``selectors.online_payment_status``), never a field changed here."""

    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe"

    dues_invoice = models.ForeignKey(
        DuesInvoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_payments",
        verbose_name=_("dues invoice"),
    )
    pledge_invoice = models.ForeignKey(
        PledgeInvoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_payments",
        verbose_name=_("pledge invoice"),
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    checkout_id = models.CharField(_("provider's checkout id"), max_length=255, unique=True)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = CurrencyField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dues_invoice__isnull=False, pledge_invoice__isnull=True)
                | Q(dues_invoice__isnull=True, pledge_invoice__isnull=False),
                name="online_payment_pays_one_invoice",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="online_payment_positive"),
        ]

    def __str__(self):
        money = Money(self.amount, self.currency)
        return f"{self.get_provider_display()} {self.checkout_id} · {money}"


class OnlinePaymentEvent(AppendOnlyModel):
    """A verified message of the provider about an online payment, recorded once: its id is
    the idempotency key (a replayed message finds it and records nothing)."""

    class Outcome(models.TextChoices):
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        REFUNDED = "refunded", _("refunded")
        IGNORED = "ignored", _("ignored")

    provider = models.CharField(
        _("provider"), max_length=20, choices=OnlinePayment.Provider.choices
    )
    event_id = models.CharField(_("provider's event id"), max_length=255, unique=True)
    type = models.CharField(_("event type"), max_length=100)
    online_payment = models.ForeignKey(
        OnlinePayment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("online payment"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("why it was ignored"), max_length=300, blank=True)
    # The provider's id of the money moved (a Stripe PaymentIntent): a refund names it.
    payment_ref = models.CharField(_("provider's payment id"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    dues_payment = models.ForeignKey(
        DuesPayment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_events",
        verbose_name=_("dues payment"),
    )
    ledger_entry = models.ForeignKey(
        LedgerEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_events",
        verbose_name=_("ledger entry"),
    )

    class Meta:
        verbose_name = _("online payment event")
        verbose_name_plural = _("online payment events")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["payment_ref"])]

    def __str__(self):
        return f"{self.event_id} · {self.get_outcome_display()}"


class DuesRefund(AppendOnlyModel):
    """Money of a dues payment given back, in whole or in part: by the provider on an online
    refund, or by a treasurer (``dues_payment_refund``; a payment moved to another invoice is
    refunded whole on its first). The dues selectors subtract it from what was paid, so the
    invoice is open again when less than its amount is left. A payment may be refunded more
    than once (numbered by ``sequence``), never beyond its amount."""

    payment = models.ForeignKey(
        DuesPayment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = CurrencyField()
    refunded_on = models.DateField(_("refunded on"))
    # 1 for a payment's first refund, 2 for its second...: given under the payment's lock, and
    # unique, so a payment is counted once where it is joined to its refunds (the dues
    # selectors count it with its first).
    sequence = models.PositiveSmallIntegerField(_("refund number"), editable=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A reason the system gave (see ``LedgerEntry.description_code``).
    reason_code = models.CharField(
        _("code of the reason"), max_length=40, blank=True, default="", editable=False
    )
    reason_params = models.JSONField(
        _("details of the reason"), default=dict, blank=True, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the system recorded it from a payment provider's message."),
    )
    event = models.OneToOneField(
        OnlinePaymentEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dues_refund",
        verbose_name=_("provider's event"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("dues refund")
        verbose_name_plural = _("dues refunds")
        ordering = ["-refunded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_refund_positive"),
            models.UniqueConstraint(
                fields=["payment", "sequence"], name="dues_refund_numbered_per_payment"
            ),
        ]

    def __str__(self):
        return f"{Money(self.amount, self.currency)} · {date_medium(self.refunded_on)}"

    @property
    def reason_words(self) -> str:
        """Why it was refunded, in the reader's language when the system wrote it."""
        return system_words(self.reason_code, self.reason_params, self.reason)
