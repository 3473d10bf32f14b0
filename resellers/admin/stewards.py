"""The admin of stewards and their offered levels (capacity, Greenlight link)."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _

from meetcoop.core.admin import HiddenIsNotFoundMixin, StewardScopedAdminMixin
from meetcoop.core.money import currency_choices
from meetcoop.core.roles import is_coop_admin

from ..models import Steward, StewardOffer
from ..selectors import stewards_visible_to


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
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currencies"].choices = currency_choices()


class StewardOfferInline(admin.TabularInline):
    model = StewardOffer
    extra = 0
    fields = ["service_level", "capacity", "greenlight_url"]


@admin.register(Steward)
class StewardAdmin(HiddenIsNotFoundMixin, admin.ModelAdmin):
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
    filter_horizontal = ["admins"]
    autocomplete_fields = ["member"]

    def get_queryset(self, request):
        return stewards_visible_to(request.user)

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
    list_display = ["steward", "service_level", "capacity", "greenlight_url"]
    list_filter = ["steward", "service_level"]
    search_fields = ["steward__name", "service_level__name"]
    list_select_related = ["steward", "service_level"]
