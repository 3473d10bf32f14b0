"""Admin of the contributions app. The ledger is read-only here (its pages hold the rules);
payments and revenue reports are added through forms that call the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetcoop.core.admin import (
    BoundedInlineFormSet,
    NoChangeMixin,
    ReadOnlyAdminMixin,
    ServiceFormMixin,
    StewardScopedAdminMixin,
)
from meetcoop.core.banking import format_rf
from meetcoop.core.errors import DomainError
from meetcoop.core.forms import add_service_error
from meetcoop.core.money import currency_choices
from meetcoop.core.roles import is_treasurer
from resellers.models import Steward
from resellers.selectors import stewards_visible_to

from . import selectors, services
from .forms import DuesMoveForm, DuesRefundForm
from .models import (
    BankLine,
    BankStatement,
    Compensation,
    CompensationSettlement,
    DuesInvoice,
    DuesPayment,
    DuesRefund,
    LedgerEntry,
    OnlinePayment,
    OnlinePaymentEvent,
    PledgeInvoice,
    RevenueReport,
    RevenueSharePayment,
)


class TreasurerOrStewardScopedMixin(StewardScopedAdminMixin):
    """Treasurers see every row; steward admins only their own steward's."""

    def sees_every_steward(self, request) -> bool:
        return is_treasurer(request.user)


class DuesPaymentStateFilter(admin.SimpleListFilter):
    """Open (not fully paid), overdue (open and past its due date) or paid invoices: the
    treasurer's home page links to the first two."""

    title = _("payment")
    parameter_name = "payment"

    def lookups(self, request, model_admin):
        return [
            ("open", pgettext_lazy("invoice not fully paid", "open")),
            ("overdue", _("overdue")),
            ("paid", _("paid")),
        ]

    def queryset(self, request, queryset):
        if self.value() in {"open", "overdue", "paid"}:
            return selectors.invoices_by_payment(queryset, self.value(), on=timezone.localdate())
        return queryset


class SharePaymentStateFilter(admin.SimpleListFilter):
    """Reports whose revenue share is unpaid, overdue, or paid."""

    title = _("share")
    parameter_name = "share"

    def lookups(self, request, model_admin):
        return [("unpaid", _("not paid yet")), ("overdue", _("overdue")), ("paid", _("paid"))]

    def queryset(self, request, queryset):
        if self.value() in {"unpaid", "overdue", "paid"}:
            return selectors.reports_by_share(queryset, self.value(), on=timezone.localdate())
        return queryset


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "occurred_on",
        "member",
        "kind",
        "hours",
        "eur_value",
        "circle",
        "status",
        "decided_by",
        "reverses",
    ]
    # What the system wrote (a reversal's description, a provider's refund) in the reader's
    # language; what a person typed, as typed.
    fields = [
        "member",
        "kind",
        "occurred_on",
        "description_words",
        "amount",
        "currency",
        "eur_rate",
        "eur_value",
        "hours",
        "circle",
        "waged_role",
        "paid_work",
        "pledge_invoice",
        "status",
        "logged_by",
        "logged_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "reverses",
        "reason_words",
        "source_key",
    ]
    readonly_fields = fields
    list_filter = ["kind", "status", "circle"]
    search_fields = ["member__name", "member__email", "description"]
    # A reversal shows the entry it reverses by its title, which names that entry's member.
    list_select_related = ["member", "circle", "decided_by", "reverses__member"]
    date_hierarchy = "occurred_on"

    @admin.display(description=_("what was given or done"))
    def description_words(self, obj):
        return obj.description_words

    @admin.display(description=_("reason for the reversal"))
    def reason_words(self, obj):
        return obj.reason_words


class DuesPaymentInline(admin.TabularInline):
    model = DuesPayment
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["amount", "currency", "paid_on", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Who recorded it, and the invoice the row's title names, with the rows.
        return super().get_queryset(request).select_related("recorded_by", "invoice")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoicePageMixin:
    """The payment reference, in groups of four as the member sees it, and a link to the
    invoice's own page (what the member sees: amount, bank details, reference, PDF)."""

    member_page_url = ""

    @admin.display(description=_("payment reference"))
    def reference_grouped(self, obj):
        return format_rf(obj.reference) if obj and obj.reference else ""

    @admin.display(description=_("the member's page"))
    def member_page(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse(self.member_page_url, args=[obj.pk]),
            _("View the member's page"),
        )


@admin.register(DuesInvoice)
class DuesInvoiceAdmin(
    InvoicePageMixin, TreasurerOrStewardScopedMixin, NoChangeMixin, admin.ModelAdmin
):
    steward_lookup = "membership__steward"
    member_page_url = "contributions:invoice_detail"
    list_display = [
        "membership",
        "period_start",
        "period_end",
        "amount",
        "currency",
        "due_on",
        "reference_grouped",
    ]
    list_filter = [DuesPaymentStateFilter, "currency", "membership__steward"]
    search_fields = ["membership__member__name", "membership__member__email", "reference"]
    list_select_related = ["membership__member", "membership__steward"]
    date_hierarchy = "period_start"
    raw_id_fields = ["membership"]
    readonly_fields = ["reference_grouped", "member_page"]
    inlines = [DuesPaymentInline]

    def has_add_permission(self, request):
        return False


@admin.register(PledgeInvoice)
class PledgeInvoiceAdmin(
    InvoicePageMixin, TreasurerOrStewardScopedMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """Issued by ``pledge_invoices_issue`` (nightly, and on admission); paid by money entries
    of the ledger that point at it, recorded by a treasurer."""

    steward_lookup = "membership__steward"
    member_page_url = "contributions:pledge_detail"
    list_display = ["membership", "amount", "currency", "due_on", "reference_grouped"]
    list_filter = ["currency", "membership__steward"]
    search_fields = ["membership__member__name", "membership__member__email", "reference"]
    list_select_related = ["membership__member", "membership__steward"]
    fields = [
        "membership",
        "amount",
        "currency",
        "due_on",
        "issued_at",
        "reference_grouped",
        "member_page",
    ]
    readonly_fields = fields


class DuesPaymentForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("currency"), choices=(), initial="EUR")

    class Meta:
        model = DuesPayment
        fields = ["invoice", "amount", "currency", "paid_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "currency" in self.fields:
            self.fields["currency"].choices = currency_choices()


class DuesRefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DuesRefund
    formset = BoundedInlineFormSet
    fk_name = "payment"
    extra = 0
    fields = ["amount", "currency", "refunded_on", "reason_words", "recorded_by", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_words(self, obj):
        return obj.reason_words

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by", "payment")

    def has_view_permission(self, request, obj=None):
        # Whoever sees the payment (its steward's admins, treasurers) sees its refunds.
        return request.user.has_perm("contributions.view_duespayment")


@admin.register(DuesPayment)
class DuesPaymentAdmin(
    TreasurerOrStewardScopedMixin, ServiceFormMixin, NoChangeMixin, admin.ModelAdmin
):
    """Payments are recorded through ``dues_payment_record``; one recorded is never changed:
    it is refunded (``dues_payment_refund``) or moved to the invoice it paid
    (``dues_payment_move``) on pages of its own, linked from its page."""

    steward_lookup = "invoice__membership__steward"
    service_error_field = "invoice"
    form = DuesPaymentForm
    list_display = ["invoice", "member", "amount", "currency", "paid_on", "recorded_by"]
    list_select_related = ["invoice__membership__member", "recorded_by"]
    search_fields = ["invoice__membership__member__name", "note"]
    autocomplete_fields = ["invoice"]
    date_hierarchy = "paid_on"
    inlines = [DuesRefundInline]

    @admin.display(description=_("member"))
    def member(self, obj):
        return obj.invoice.membership.member

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["moved_from", "corrections"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=_("refund or move"))
    def corrections(self, obj):
        if not selectors.dues_payment_refundable(obj) > 0:
            return _("Refunded in full.")
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a>',
            reverse("admin:contributions_duespayment_refund", args=[obj.pk]),
            _("Refund…"),
            reverse("admin:contributions_duespayment_move", args=[obj.pk]),
            _("Move to another invoice…"),
        )

    def add_via_service(self, request, data):
        return services.dues_payment_record(
            invoice=data["invoice"],
            amount=data["amount"],
            currency=data["currency"],
            paid_on=data["paid_on"],
            note=data.get("note", ""),
            actor=request.user,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="contributions_duespayment_refund",
            ),
            path(
                "<path:object_id>/move/",
                self.admin_site.admin_view(self.move_view),
                name="contributions_duespayment_move",
            ),
            *super().get_urls(),
        ]

    def _payment_to_correct(self, request, object_id) -> DuesPayment:
        """The payment, if the user may record this steward's dues: another steward's
        payment answers 404, as an id that does not exist."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        payment = self.get_object(request, unquote(object_id))
        if payment is None:
            raise Http404
        return payment

    def refund_view(self, request, object_id):
        payment = self._payment_to_correct(request, object_id)
        today = timezone.localdate()
        form = DuesRefundForm(
            request.POST if request.method == "POST" else None,
            payment=payment,
            left=selectors.dues_payment_refundable(payment),
            today=today,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.dues_payment_refund(
                    payment=payment,
                    amount=data["amount"],
                    currency=data["currency"],
                    refunded_on=data["refunded_on"],
                    reason=data["reason"],
                    actor=request.user,
                    on=today,
                )
            except DomainError as error:
                add_service_error(form, error)
            else:
                self.message_user(request, _("The refund was recorded."), messages.SUCCESS)
                return self._back_to(payment)
        return self._correction_page(
            request, payment, form, _("Refund a dues payment"), _("Record the refund")
        )

    def move_view(self, request, object_id):
        payment = self._payment_to_correct(request, object_id)
        form = DuesMoveForm(
            request.POST if request.method == "POST" else None,
            invoices=selectors.dues_payment_move_targets(payment),
        )
        if request.method == "POST" and form.is_valid():
            try:
                moved = services.dues_payment_move(
                    payment=payment,
                    invoice=form.cleaned_data["invoice"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DomainError as error:
                add_service_error(form, error)
            else:
                self.message_user(request, _("The payment was moved."), messages.SUCCESS)
                return self._back_to(moved)
        return self._correction_page(
            request,
            payment,
            form,
            _("Move a dues payment to another invoice"),
            _("Move the payment"),
        )

    def _back_to(self, payment):
        return redirect(reverse("admin:contributions_duespayment_change", args=[payment.pk]))

    def _correction_page(self, request, payment, form, title, submit_label):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "payment": payment,
            "form": form,
            "submit_label": submit_label,
        }
        return TemplateResponse(request, "admin/contributions/duespayment/correct.html", context)


class RevenueReportForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("currency"), choices=(), initial="EUR")

    class Meta:
        model = RevenueReport
        fields = ["steward", "quarter_start", "revenue", "currency", "eur_rate"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "currency" in self.fields:
            self.fields["currency"].choices = currency_choices()
        if "eur_rate" in self.fields:  # the add form; a saved report is read-only
            self.fields["eur_rate"].required = False
            self.fields["eur_rate"].help_text = _(
                "Euros for one unit. Leave it empty for euros, or to use the exchange rate "
                "the co-op recorded for the quarter's last day."
            )


@admin.register(RevenueReport)
class RevenueReportAdmin(
    TreasurerOrStewardScopedMixin, ServiceFormMixin, NoChangeMixin, admin.ModelAdmin
):
    steward_lookup = "steward"
    service_error_field = "steward"
    form = RevenueReportForm
    list_display = [
        "steward",
        "quarter_start",
        "revenue",
        "currency",
        "revenue_eur",
        "share_percent",
        "share_eur",
        "due_on",
    ]
    list_filter = [SharePaymentStateFilter, "steward", "quarter_start"]
    list_select_related = ["steward"]
    search_fields = ["steward__name"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["steward", "quarter_start", "revenue", "currency", "eur_rate"]
        return [
            "steward",
            "quarter_start",
            "quarter_end",
            "revenue",
            "currency",
            "eur_rate",
            "revenue_eur",
            "share_percent",
            "share_eur",
            "due_on",
            "reported_by",
            "reported_at",
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "steward":
            kwargs["queryset"] = stewards_visible_to(request.user).filter(
                kind=Steward.Kind.RESELLER
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def add_via_service(self, request, data):
        return services.revenue_report_submit(
            steward=data["steward"],
            quarter_start=data["quarter_start"],
            revenue=data["revenue"],
            currency=data["currency"],
            eur_rate=data.get("eur_rate"),
            actor=request.user,
        )


@admin.register(RevenueSharePayment)
class RevenueSharePaymentAdmin(
    TreasurerOrStewardScopedMixin, ServiceFormMixin, NoChangeMixin, admin.ModelAdmin
):
    steward_lookup = "report__steward"
    service_error_field = "report"
    list_display = ["report", "amount_eur", "paid_on", "recorded_by"]
    list_select_related = ["report__steward", "recorded_by"]
    fields = ["report", "amount_eur", "paid_on", "note"]
    date_hierarchy = "paid_on"

    def has_add_permission(self, request):
        return is_treasurer(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "report":
            kwargs["queryset"] = RevenueReport.objects.select_related("steward")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def add_via_service(self, request, data):
        return services.revenue_share_payment_record(
            report=data["report"],
            amount_eur=data["amount_eur"],
            paid_on=data["paid_on"],
            note=data.get("note", ""),
            actor=request.user,
        )


class TreasurersOnlyMixin:
    """Compensation is the co-op's books: treasurers (and superusers) see and record it."""

    def has_module_permission(self, request):
        return is_treasurer(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return is_treasurer(request.user) or request.user.is_superuser


@admin.register(Compensation)
class CompensationAdmin(TreasurersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["member", "basis", "hours", "rate", "amount", "currency", "entry", "created_at"]
    list_filter = ["basis", "currency"]
    list_select_related = ["member", "entry"]
    search_fields = ["member__name", "member__email"]


@admin.register(CompensationSettlement)
class CompensationSettlementAdmin(
    TreasurersOnlyMixin, ServiceFormMixin, NoChangeMixin, admin.ModelAdmin
):
    """A settlement is recorded through ``compensation_settle``: never more than is owed."""

    list_display = ["member", "kind", "amount", "currency", "settled_on", "recorded_by"]
    list_filter = ["kind", "currency"]
    list_select_related = ["member", "recorded_by"]
    search_fields = ["member__name", "member__email", "note"]
    fields = ["member", "kind", "amount", "currency", "settled_on", "note"]
    # The member's number (the treasurer may not browse every member in the admin).
    raw_id_fields = ["member"]
    service_error_field = "amount"

    def has_add_permission(self, request):
        return is_treasurer(request.user)

    def add_via_service(self, request, data):
        return services.compensation_settle(
            member=data["member"],
            amount=data["amount"],
            currency=data["currency"],
            kind=data["kind"],
            settled_on=data["settled_on"],
            note=data.get("note", ""),
            actor=request.user,
        )


# --- issue 15: bank statements and online payments (read-only records) -----------------------


class BankLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BankLine
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["booked_on", "amount", "currency", "is_credit", "counterparty", "reference"]
    readonly_fields = fields
    show_change_link = False


@admin.register(BankStatement)
class BankStatementAdmin(TreasurerOrStewardScopedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Statements imported on *Bank statements*: who imported which file, and its lines.
    The co-op's own account (no steward) is the treasurers' only."""

    list_display = ["file_name", "steward", "format", "imported_by", "imported_at", "page"]
    list_filter = ["format", "steward"]
    search_fields = ["file_name", "statement_id", "sha256"]
    list_select_related = ["steward", "imported_by"]
    readonly_fields = ["page"]
    inlines = [BankLineInline]

    @admin.display(description=_("matches"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("contributions:statement_preview", args=[obj.pk]),
            _("Open its preview"),
        )


class OnlinePaymentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OnlinePaymentEvent
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["received_at", "type", "outcome", "reason", "event_id"]
    readonly_fields = fields


@admin.register(OnlinePayment)
class OnlinePaymentAdmin(TreasurersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Payments members started online and what the provider said about each."""

    list_display = ["checkout_id", "provider", "amount", "currency", "created_by", "created_at"]
    list_filter = ["provider", "currency"]
    search_fields = ["checkout_id"]
    list_select_related = ["created_by"]
    inlines = [OnlinePaymentEventInline]
