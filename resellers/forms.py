"""The public application form. It parses and checks one submission; the rules that need the
database (capacity, duplicates, the policy, the current terms) live in the service."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from meetcoop.core.languages import language_choices, language_options, steward_language

from .models import Application, Concern, Steward

ZERO = Decimal("0")


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I apply as"),
        choices=Application.Kind.choices,
        initial=Application.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your full name"), max_length=200)
    organisation_name = forms.CharField(
        label=_("Organisation name (only for an organisation)"),
        max_length=200,
        required=False,
        help_text=_("Leave it empty when you apply as a person."),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We write to you here, and it becomes your login."),
    )
    country = forms.ChoiceField(label=_("Country"))
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        help_text=_("We write to you in this language."),
    )
    type = forms.ChoiceField(
        label=_("Membership"),
        choices=[
            (
                Application.Type.USER,
                _("User member: I want meeting rooms at a service level"),
            ),
            (
                Application.Type.OPERATIONAL,
                _("Operational member: I want to build and run the co-op"),
            ),
        ],
        initial=Application.Type.USER,
        widget=forms.RadioSelect,
    )
    service_level = forms.ChoiceField(label=_("Service level"), required=False)
    pledge_money = forms.DecimalField(
        label=_("Money"),
        required=False,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    pledge_hours = forms.DecimalField(
        label=_("Hours of work"),
        required=False,
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    pledge_resources_value = forms.DecimalField(
        label=_("Resources, value"),
        required=False,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Servers, bandwidth or other resources, valued in the co-op's currency."),
    )
    pledge_resources_description = forms.CharField(
        label=_("Which resources"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    statement = forms.CharField(
        label=_("Why do you want to join?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # A trap for robots: hidden from people, and labelled for screen readers to leave empty.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, steward, offers, terms: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.steward = steward
        self.terms = terms
        self.levels = {str(offer.service_level.pk): offer.service_level for offer in offers}
        self.fields["country"].choices = [("", "—")] + list(countries)
        # Only the languages this steward serves in, starting with the page's.
        self.fields["language"].choices = language_options(steward.languages) or language_options(
            [settings.LANGUAGE_CODE]
        )
        self.fields["language"].initial = steward_language(steward.languages)
        level_choices = [("", _("Choose a level"))]
        for offer in offers:
            level = offer.service_level
            if offer.free:
                room = ngettext("%(count)s place left", "%(count)s places left", offer.free) % {
                    "count": offer.free
                }
            else:
                room = _("full: waiting list")
            level_choices.append(
                (
                    str(level.pk),
                    f"{level.name} · {offer.dues} / {level.get_period_display()} · {room}",
                )
            )
        field = self.fields["service_level"]
        field.choices = level_choices
        field.error_messages["invalid_choice"] = _(
            "%(steward)s does not offer this level; choose one of the levels listed."
        ) % {"steward": steward.name}
        for document, version in terms.items():
            self.fields[f"accept_{document}"] = forms.BooleanField(
                label=_("I have read and accept the %(document)s (version %(version)s).")
                % {"document": version.get_document_display(), "version": version.version},
                error_messages={
                    "required": _("Please accept the %(document)s to apply.")
                    % {"document": version.get_document_display()}
                },
            )
            self.fields[f"{document}_version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=version.pk
            )

    @property
    def terms_fields(self):
        return [
            (version, self[f"accept_{document}"], self[f"{document}_version"])
            for document, version in self.terms.items()
        ]

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "This form looked automated, so it was not sent. If you are a person, "
                    "empty the field labelled “Leave this field empty” and send it again."
                )
            )
        return ""

    def clean(self):
        data = super().clean()
        if data.get("kind") == Application.Kind.ORGANISATION and not data.get("organisation_name"):
            self.add_error("organisation_name", _("Give the name of the organisation."))
        if (
            data.get("type") == Application.Type.USER
            and not data.get("service_level")
            and "service_level" not in self.errors
        ):
            self.add_error("service_level", _("Choose a service level."))
        for document, version in self.terms.items():
            shown = data.get(f"{document}_version")
            if shown is not None and shown != version.pk:
                self.add_error(
                    f"accept_{document}",
                    _(
                        "A new version of the %(document)s was published while you filled the "
                        "form; please read it and accept it again."
                    )
                    % {"document": version.get_document_display()},
                )
        return data

    def submission(self) -> dict:
        """Keyword arguments for ``application_submit`` from the cleaned data."""
        data = self.cleaned_data
        return {
            "steward": self.steward,
            "kind": data["kind"],
            "name": data["name"],
            "organisation_name": data.get("organisation_name", ""),
            "email": data["email"],
            "country": data["country"],
            "language": data["language"],
            "type": data["type"],
            "service_level": self.levels.get(data.get("service_level") or ""),
            "pledge_money": data.get("pledge_money") or ZERO,
            "pledge_hours": data.get("pledge_hours") or ZERO,
            "pledge_resources_value": data.get("pledge_resources_value") or ZERO,
            "pledge_resources_description": data.get("pledge_resources_description", ""),
            "statement": data.get("statement", ""),
            "accepted_terms": [
                version
                for document, version in self.terms.items()
                if data.get(f"accept_{document}")
            ],
        }


# --- Fair Use and service concerns ------------------------------------------------------------


class ConcernForm(forms.Form):
    """A member's concern. The reseller is chosen on a public list; a member is named by the
    email the reporter knows, matched by the service (no list of members is ever shown)."""

    kind = forms.ChoiceField(
        label=_("My concern is about"),
        choices=Concern.Kind.choices,
        widget=forms.RadioSelect,
    )
    steward = forms.ModelChoiceField(
        label=_("The reseller (for a reseller's service)"),
        queryset=Steward.objects.none(),
        required=False,
        empty_label=_("Choose a reseller"),
    )
    member_email = forms.EmailField(
        label=_("The member's email address (for a member's use)"),
        max_length=254,
        required=False,
        help_text=_("The address you know them by. We never show whether it belongs to a member."),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The person concerned reads this and the evidence, but never your name. "
            "Keep it to facts."
        ),
    )
    evidence = forms.CharField(
        label=_("Evidence (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Dates, room names, links to screenshots or logs you have shared. "
            "Files are not uploaded here: give links."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = Steward.objects.filter(kind=Steward.Kind.RESELLER)


class ConcernAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Those who decide read it before they decide."),
    )
