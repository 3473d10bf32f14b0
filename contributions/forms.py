"""Forms of the contributions pages. They parse input; the services hold the rules."""

from decimal import Decimal

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import Circle, WagedRole
from meetcoop.core.banking import format_rf
from meetcoop.core.money import Money, currency_choices
from membership.models import Member

from .models import MAX_HOURS, MIN_HOURS, LedgerEntry

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def hours_field(**kwargs):
    return forms.DecimalField(
        min_value=MIN_HOURS,
        max_value=MAX_HOURS,
        max_digits=4,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}),
        **kwargs,
    )


class SelfReportForm(forms.Form):
    circle = forms.ModelChoiceField(label=_("Circle"), queryset=Circle.objects.none())
    worked_on = forms.DateField(label=_("Date worked"), widget=DATE_INPUT)
    hours = hours_field(label=_("Hours"), help_text=_("Between 0.25 and 24 for one day."))
    description = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    waged_role = forms.ModelChoiceField(
        label=_("In my waged role"),
        queryset=WagedRole.objects.none(),
        required=False,
        empty_label=_("No: voluntary hours"),
        help_text=_(
            "Hours in a waged role are paid by the role and do not count toward your commitment."
        ),
    )

    def __init__(self, *args, circles, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles
        if roles is None:
            del self.fields["waged_role"]  # only for a member who holds a role
        else:
            self.fields["waged_role"].queryset = roles


class BatchLabourForm(forms.Form):
    """One description and day for a circle; hours per member listed (empty = none). The
    view lists the members seated in the circle lately; the service checks each one's seat
    on the day worked. Hours posted for a member not listed are refused, not ignored."""

    worked_on = forms.DateField(label=_("Date worked"), widget=DATE_INPUT)
    description = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    paid_work = forms.BooleanField(
        label=_("Agreed in advance as paid work"),
        required=False,
        help_text=_(
            "The co-op owes these hours at the policy's rate; they do not count toward the "
            "members' voluntary commitment."
        ),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            self.fields[f"hours_{member.pk}"] = hours_field(label=str(member), required=False)

    def member_fields(self):
        return [(m, self[f"hours_{m.pk}"]) for m in self.members]

    def clean(self):
        cleaned = super().clean()
        listed = {f"hours_{m.pk}" for m in self.members}
        if any(
            name.startswith("hours_") and name not in listed and str(value).strip()
            for name, value in self.data.items()
        ):
            raise forms.ValidationError(_("Hours can be logged only for the members listed."))
        chosen = {
            m: cleaned[f"hours_{m.pk}"]
            for m in self.members
            if cleaned.get(f"hours_{m.pk}") is not None
        }
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Give hours for at least one member."))
        cleaned["hours_by_member"] = chosen
        return cleaned


def contributor_choices():
    """Members who can be credited with money or resources: those with an open membership."""
    return (
        Member.objects.filter(memberships__type="operational")
        .exclude(memberships__status="ended")
        .distinct()
        .order_by("name")
    )


class MoneyForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), initial="EUR")
    eur_rate = forms.DecimalField(
        label=_("EUR rate"),
        required=False,
        min_value=Decimal("0.000001"),
        max_digits=14,
        decimal_places=6,
        help_text=_(
            "Euros for one unit of the currency. Leave it empty for euros, or to use the "
            "exchange rate the co-op recorded for that day."
        ),
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT)
    description = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = contributor_choices()
        self.fields["currency"].choices = currency_choices()


class ResourceForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    description = forms.CharField(label=_("Resource"), max_length=2000)
    eur_value = forms.DecimalField(
        label=_("Value (EUR)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = contributor_choices()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reversal"), widget=forms.Textarea(attrs={"rows": 3})
    )


class LedgerFilter(django_filters.FilterSet):
    """Filters of the ledger export; member and circle choices are limited to what the user
    may see (the view passes its scoped queryset)."""

    member = django_filters.ModelChoiceFilter(label=_("Member"), queryset=Member.objects.none())
    circle = django_filters.ModelChoiceFilter(label=_("Circle"), queryset=Circle.objects.none())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LedgerEntry.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LedgerEntry.Status.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="occurred_on", lookup_expr="gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("Until"), field_name="occurred_on", lookup_expr="lte", widget=DATE_INPUT
    )

    class Meta:
        model = LedgerEntry
        fields = ["member", "circle", "kind", "status", "date_from", "date_to"]

    def __init__(self, *args, members, circles, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["member"].queryset = members
        self.filters["circle"].queryset = circles


class DuesRefundForm(forms.Form):
    """A treasurer's refund of a dues payment (``dues_payment_refund`` holds the rules)."""

    amount = forms.DecimalField(
        label=_("Amount refunded"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"))
    refunded_on = forms.DateField(label=_("Refunded on"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member reads it: say why the money was given back."),
    )

    def __init__(self, *args, payment, left, today, **kwargs):
        super().__init__(*args, **kwargs)
        choices = currency_choices()
        if payment.currency not in dict(choices):
            # Taken when it was paid, no longer: it is still given back in it.
            choices = [(payment.currency, payment.currency), *choices]
        self.fields["currency"].choices = choices
        self.fields["currency"].initial = payment.currency
        self.fields["amount"].initial = left
        self.fields["amount"].help_text = _("At most %(money)s, what is left of the payment.") % {
            "money": Money(left, payment.currency)
        }
        self.fields["refunded_on"].initial = today


class DuesMoveForm(forms.Form):
    """A payment recorded on the wrong invoice, moved to the one it paid
    (``dues_payment_move`` holds the rules)."""

    invoice = forms.ModelChoiceField(label=_("Invoice it paid"), queryset=None)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member reads it: say why the payment was moved."),
    )

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = invoices
        self.fields["invoice"].label_from_instance = lambda invoice: (
            _("%(member)s · %(invoice)s · %(reference)s")
            % {
                "member": invoice.membership.member,
                "invoice": invoice,
                "reference": format_rf(invoice.reference),
            }
        )
