from decimal import Decimal

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetcoop.core.money import currency_choices
from meetcoop.core.roles import is_coop_admin
from membership.models import Member

from .models import Circle, CircleRole, GovernanceDocument, Meeting, Proposal, Voter
from .selectors.circles import members_who_may_sit
from .services.proposals import STANCE_REASON_MAX, has_visible_text


class SeatAddForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=CircleRole.Role.choices)
    started_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only those who may sit are offered: not every member of the database (a customer's
        # name is nobody's business here); the service refuses anyone else too.
        self.fields["member"].queryset = members_who_may_sit().order_by("name")


class SeatEndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )


class AttendanceForm(forms.Form):
    present = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    note = forms.CharField(
        label=_("Why the attendance changes"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The attendance was already recorded. If you change who was present, say why: it "
            "is kept with your name and the time."
        ),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(m.pk, m.display_name) for m in members]


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "title",
            "text",
            "electorate",
            "circle",
            "quorum_percent",
            "document",
            "new_text",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 8}),
            "new_text": forms.Textarea(attrs={"rows": 14}),
        }

    def __init__(self, *args, user, circles, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_circles = circles
        # A change to a document its circle decides goes to that circle, whoever proposes it.
        circles = Circle.objects.filter(
            Q(pk__in=circles.values("pk"))
            | Q(documents__decided_by=GovernanceDocument.DecidedBy.CIRCLE)
        ).distinct()
        self.fields["circle"].queryset = circles.order_by("name")
        self.fields["circle"].help_text = _(
            "Only for a circle proposal. A change to a document its circle decides goes to "
            "that circle."
        )
        self.fields["document"].queryset = GovernanceDocument.objects.order_by("title")
        self.fields["document"].required = False
        self.fields["new_text"].help_text = _(
            "The whole new text of the document, in Markdown. Its page will show the change."
        )
        # A member who sits in no circle can only address the Permanent Assembly.
        if not is_coop_admin(user) and not circles.exists():
            self.fields["electorate"].choices = [
                c for c in Proposal.Electorate.choices if c[0] != Proposal.Electorate.CIRCLE
            ]

    def clean(self):
        data = super().clean()
        circle, document = data.get("circle"), data.get("document")
        if (
            circle is not None
            and not self.own_circles.filter(pk=circle.pk).exists()
            and (document is None or document.responsible_circle_id != circle.pk)
        ):
            self.add_error(
                "circle",
                _("You can put a proposal only to a circle you sit in, or to a document's circle."),
            )
        return data


class ProposalOpenForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("Closes at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class StanceForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Voting for"), coerce=int)
    stance = forms.ChoiceField(
        label=_("Your stance"), choices=Voter.Stance.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=STANCE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a block; welcome for any stance."),
    )

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(v.member_id, v.member.display_name) for v in voters]
        if len(voters) == 1:
            self.fields["member"].widget = forms.HiddenInput()
            self.fields["member"].initial = voters[0].member_id

    def clean(self):
        data = super().clean()
        if data.get("stance") == Voter.Stance.BLOCK and not has_visible_text(data.get("reason")):
            self.add_error("reason", _("A block needs a reason."))
        return data


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    circle = forms.ModelChoiceField(
        label=_("Circle"),
        queryset=Circle.objects.none(),
        required=False,
        help_text=_("Only for a circle meeting."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    minutes_url = forms.URLField(label=_("Minutes link"), required=False)

    def __init__(self, *args, circles, all_hands_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles
        if not all_hands_allowed:
            self.fields["kind"].choices = [(Meeting.Kind.CIRCLE, Meeting.Kind.CIRCLE.label)]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Meeting.Kind.CIRCLE and not data.get("circle"):
            self.add_error("circle", _("A circle meeting needs its circle."))
        if data.get("kind") == Meeting.Kind.ALL_HANDS and data.get("circle"):
            self.add_error("circle", _("An All Hands Meeting belongs to no circle."))
        return data


class ListingForm(forms.Form):
    listed = forms.BooleanField(
        label=_("List us on the public list of members"),
        required=False,
        help_text=_(
            "Shown only while your operational membership is active. Untick to be removed at once."
        ),
    )
    display_name = forms.CharField(label=_("Name shown"), max_length=200, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    offer = forms.CharField(
        label=_("What we offer"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences: what you do in the co-op or for its members."),
    )


class RolePublishForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    circle = forms.ModelChoiceField(
        label=_("Circle"),
        queryset=Circle.objects.none(),
        required=False,
        empty_label=_("The whole co-op"),
    )
    description = forms.CharField(
        label=_("What the work is"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    hours_per_month = forms.DecimalField(
        label=_("Hours a month"), min_value=Decimal("0.25"), max_digits=6, decimal_places=2
    )
    pay_per_month = forms.DecimalField(
        label=_("Pay a month"), min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"))
    closes_on = forms.DateField(
        label=_("Applications close on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, circles, coop_admin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles
        self.fields["currency"].choices = currency_choices()
        if not coop_admin:  # a coordinator publishes for one of its circles
            self.fields["circle"].required = True
            self.fields["circle"].empty_label = None


class RoleApplyForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Apply as"), queryset=None)
    statement = forms.CharField(
        label=_("Why you, for this role"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        if members.count() == 1:
            self.fields["member"].initial = members.first()


class RoleProposeForm(forms.Form):
    """Send a role application to a proposal: who decides, and when the vote closes."""

    electorate = forms.ChoiceField(label=_("Who decides"))
    closes_at = forms.DateTimeField(
        label=_("Closes at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, role, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (Proposal.Electorate.OPERATIONAL.value, _("The operational members")),
            (Proposal.Electorate.ALL.value, _("All members with voting rights")),
        ]
        if role.circle_id:
            choices.insert(
                0,
                (
                    Proposal.Electorate.CIRCLE.value,
                    _("The members of the circle %(circle)s") % {"circle": role.circle.name},
                ),
            )
        self.fields["electorate"].choices = choices
