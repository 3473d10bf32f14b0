"""Forms of the bank statement pages."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from meetcoop.core.money import currency_choices

from .models import BankCsvMapping
from .services.statements import MAPPING_FIELDS
from .statements import MAX_BYTES


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Statement file"),
        help_text=_("A CAMT.053 XML file or your bank's CSV export, at most 5 MB."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[
            ("", _("Find out from the file")),
            ("camt", _("CAMT.053 (ISO 20022 XML)")),
            ("csv", _("CSV")),
        ],
    )
    steward = forms.ModelChoiceField(
        label=_("Account of"), queryset=None, required=False, empty_label=None
    )
    mapping = forms.ModelChoiceField(
        label=_("CSV mapping"),
        queryset=None,
        required=False,
        empty_label=_("None: I define a new one below"),
        help_text=_("How your bank's CSV export is read, remembered from the last time."),
    )
    mapping_name = forms.CharField(
        label=_("New mapping: the bank's name"), required=False, max_length=100
    )
    delimiter = forms.CharField(
        label=_("Column separator"), required=False, max_length=1, initial=";"
    )
    decimal_separator = forms.CharField(
        label=_("Decimal separator"), required=False, max_length=1, initial=","
    )
    date_format = forms.CharField(
        label=_("Date format"),
        required=False,
        max_length=20,
        initial="%d/%m/%Y",
        help_text=format_lazy("{} %d/%m/%Y (31/01/2026), %Y-%m-%d (2026-01-31)", _("For example:")),
    )
    date_column = forms.CharField(label=_("Date column"), required=False, max_length=100)
    amount_column = forms.CharField(label=_("Amount column"), required=False, max_length=100)
    currency_column = forms.CharField(
        label=_("Currency column"),
        required=False,
        max_length=100,
        help_text=_("Or leave it empty and choose the currency of every row."),
    )
    currency = forms.ChoiceField(label=_("Currency of every row"), required=False)
    name_column = forms.CharField(label=_("Payer's name column"), required=False, max_length=100)
    reference_column = forms.CharField(
        label=_("Reference or remittance column"), required=False, max_length=100
    )
    entry_id_column = forms.CharField(
        label=_("Entry identifier column"),
        required=False,
        max_length=100,
        help_text=_("If your bank gives each entry an identifier."),
    )
    iban = forms.CharField(
        label=_("Account IBAN"),
        required=False,
        max_length=50,
        help_text=_(
            "The account these exports are of. Give it, and a transfer is recorded once even "
            "when the same account's statements also come under another mapping or as CAMT."
        ),
    )

    # The fields a mapping keeps: the service that saves it names them.
    MAPPING_FIELDS = MAPPING_FIELDS

    def __init__(self, *args, stewards, treasurer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["steward"]
        field.queryset = stewards.order_by("name")
        if treasurer:
            field.required = False
            field.empty_label = _("The co-op's own account")
        else:
            field.required = True
            field.empty_label = None
        mappings = BankCsvMapping.objects.filter(steward__in=stewards)
        if treasurer:
            mappings = mappings | BankCsvMapping.objects.filter(steward__isnull=True)
        self.fields["mapping"].queryset = mappings.select_related("steward").order_by("name")
        self.fields["mapping"].label_from_instance = lambda m: (
            f"{m.name} · {m.steward}" if m.steward_id else m.name
        )
        self.fields["currency"].choices = [("", "-"), *currency_choices()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split the statement into smaller files.")
                % {"size": MAX_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self):
        data = super().clean()
        mapping = data.get("mapping")
        if mapping is not None and mapping.steward_id != getattr(data.get("steward"), "pk", None):
            self.add_error("mapping", _("This mapping belongs to another account."))
        return data

    def new_mapping(self) -> dict:
        data = self.cleaned_data
        return {"name": data.get("mapping_name", "")} | {
            key: data.get(key, "") for key in self.MAPPING_FIELDS
        }
