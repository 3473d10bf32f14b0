"""Accessible forms: an invalid field is described by its message and its help text (the ids
Django names in aria-describedby exist in the page), and the error summary at the top links to
each invalid field."""

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import PolicyFactory, StewardFactory, TermsVersionFactory, UserFactory
from tests.html_a11y import describedby_problems, parse, summary_links


class SampleForm(forms.Form):
    email = forms.EmailField(help_text="We write to this address.")
    kind = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pick one."
    )
    days = forms.MultipleChoiceField(
        choices=[("mon", "Mon"), ("tue", "Tue")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(help_text="You must agree.")

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def render(form):
    return render_to_string("forms/error_summary.html", {"form": form}) + "".join(
        render_to_string("forms/field.html", {"field": field}) for field in form
    )


def test_invalid_fields_are_described_by_their_message_and_help():
    html = render(SampleForm(data={"email": "not-an-email"}))
    assert describedby_problems(html) == []
    page = parse(html)
    email = next(a for t, a in page.elements if a.get("name") == "email")
    assert email["aria-invalid"] == "true"
    assert email["aria-describedby"] == "id_email_helptext id_email_error"
    assert {"id_email_error", "id_email_helptext", "id_kind_error", "id_agree_error"} <= page.ids
    fieldset = next(a for t, a in page.elements if t == "fieldset" and "aria-describedby" in a)
    assert fieldset["aria-describedby"] == "id_kind_helptext id_kind_error"


def test_the_summary_links_to_each_invalid_field_and_takes_focus():
    html = render(SampleForm(data={"email": "not-an-email"}))
    assert summary_links(html) == ["id_email", "id_kind_0", "id_days_0", "id_agree"]
    assert "Something about the whole form." in html
    summary = next(a for t, a in parse(html).elements if "data-error-summary" in a)
    assert summary["tabindex"] == "-1" and summary["role"] == "alert"


def test_a_valid_form_shows_no_summary():
    html = render(SampleForm())
    assert "data-error-summary" not in html
    assert describedby_problems(html) == []


@pytest.mark.django_db
def test_the_application_form_with_errors(client):
    PolicyFactory()
    TermsVersionFactory(document="terms_of_use", version="1.0")
    steward = StewardFactory(slug="comuns", operational=True)
    response = client.post(reverse("resellers:apply", args=[steward.slug]), {"email": "x"})
    html = response.content.decode()
    assert "data-error-summary" in html
    assert describedby_problems(html) == []
    links = summary_links(html)
    assert "id_email" in links and "id_name" in links
    assert 'src="/static/js/error-summary.js"' in html


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password(client):
    UserFactory(email="ada@example.org")
    response = client.post(reverse("account_login"), {"login": "ada@example.org", "password": "x"})
    html = response.content.decode()
    assert "data-error-summary" in html
    assert describedby_problems(html) == []
    page = parse(html)
    controls = [a for t, a in page.elements if t in {"input", "select", "textarea"}]
    labelled = {a.get("for") for t, a in page.elements if t == "label"}
    for control in controls:
        if control.get("type") not in {"hidden", "submit"}:
            assert control["id"] in labelled, control
