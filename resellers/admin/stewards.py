"""The admin of stewards and their offered levels (capacity, Greenlight link)."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from meetcoop.core.admin import (
    BoundedInlineFormSet,
    HiddenIsNotFoundMixin,
    SafeAutocompleteMixin,
    StewardScopedAdminMixin,
    StewardScopedLookupsMixin,
)
from meetcoop.core.errors import DomainError
from meetcoop.core.forms import add_service_error
from meetcoop.core.money import currency_choices
from meetcoop.core.roles import is_coop_admin

from ..models import Steward, StewardOffer
from ..selectors import stewards_visible_to
from ..services.stewards import steward_member_check


class StewardForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    currencies = forms.MultipleChoiceField(
        label=_("Accepted currencies"),
        choices=(),
        widget=FilteredSelectMultiple(_("currencies"), is_stacked=False),
    )

    class Meta:
        model = Steward
        fields = [
            "kind",
            "slug",
            "name",
            "description",
            "website",
            "contact_email",
            "languages",
            "currencies",
            "accepting_applications",
            "member",
            "admins",
            "account_holder",
            "iban",
            "bic",
            "other_account_details",
            "online_payments",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currencies"].choices = currency_choices()

    def clean(self):
        """A reseller belongs to an operational member (``steward_member_check``): asked of
        whoever may set the member (co-op admins; for a steward's admin it is read-only)."""
        data = super().clean()
        if "member" in self.fields and "kind" in self.fields:
            try:
                steward_member_check(kind=data.get("kind"), member=data.get("member"))
            except DomainError as error:
                add_service_error(self, error)
        return data


class StewardOfferInline(admin.TabularInline):
    model = StewardOffer
    formset = BoundedInlineFormSet
    extra = 0
    fields = ["service_level", "capacity", "price", "price_currency", "greenlight_url"]

    def get_queryset(self, request):
        # The row's title (steward · level) with the rows, not two queries per row.
        return super().get_queryset(request).select_related("steward", "service_level")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "service_level":
            # Every row offers the same levels: read them once for the page, not once per row
            # (a choice sent back is still checked against the field's queryset).
            field.choices = list(field.choices)
        return field


@admin.register(Steward)
class StewardAdmin(
    StewardScopedLookupsMixin, SafeAutocompleteMixin, HiddenIsNotFoundMixin, TranslationAdmin
):
    form = StewardForm
    list_display = [
        "name",
        "kind",
        "slug",
        "language_list",
        "currency_list",
        "accepting_applications",
    ]
    list_filter = ["kind", "accepting_applications"]
    search_fields = ["name", "slug", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StewardOfferInline]
    # Searched as typed: a list of every login (filter_horizontal) grows with the co-op.
    autocomplete_fields = ["member", "admins"]

    def get_queryset(self, request):
        # The stewards the user runs, with lookups through their rows kept to those stewards.
        return super().get_queryset(request) & stewards_visible_to(request.user)

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if is_coop_admin(request.user) else {}

    def get_readonly_fields(self, request, obj=None):
        if is_coop_admin(request.user):
            return []
        return ["kind", "slug", "member", "admins"]

    @admin.display(description=_("languages"))
    def language_list(self, obj):
        return ", ".join(obj.languages)

    @admin.display(description=_("currencies"))
    def currency_list(self, obj):
        return ", ".join(obj.currencies)


@admin.register(StewardOffer)
class StewardOfferAdmin(StewardScopedAdminMixin, admin.ModelAdmin):
    list_display = ["steward", "service_level", "capacity", "dues", "greenlight_url"]
    list_filter = ["steward", "service_level"]
    search_fields = ["steward__name", "service_level__name"]
    list_select_related = ["steward", "service_level"]

    @admin.display(description=_("dues per period"))
    def dues(self, obj):
        return obj.dues
