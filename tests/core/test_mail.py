"""The one way emails are rendered and sent, and links to the site built."""

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.utils import translation

from meetcoop.core.mail import absolute_url, send_templated_email
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site():
    """The sites row as ``core.apps.ensure_site`` keeps it after every migrate."""
    Site.objects.update_or_create(pk=1, defaults={"domain": "members.example.org"})
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


def test_links_are_on_the_sites_domain_from_a_name_or_a_path():
    assert absolute_url("standing:dashboard") == "http://members.example.org/me/"
    assert absolute_url("/me/data.json") == "http://members.example.org/me/data.json"
    assert (
        absolute_url("admin:resellers_application_change", args=[7])
        == "http://members.example.org/admin/resellers/application/7/change/"
    )
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_links_follow_the_protocol_setting(settings):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
    assert absolute_url("standing:dashboard") == "https://members.example.org/me/"


def test_links_ignore_the_host_of_the_request_being_served(rf):
    from allauth.core import context

    with context.request_context(rf.get("/", HTTP_HOST="attacker.example")):
        assert absolute_url("standing:dashboard") == "http://members.example.org/me/"


def test_an_email_is_rendered_in_its_language_with_a_one_line_subject(settings, monkeypatch):
    from meetcoop.core import mail as module

    settings.SITE_NAME = "Co-op & Friends"
    application = ApplicationFactory(name="Núria", status="waitlisted")
    seen = []
    render = module.render_to_string

    def spy(name, context=None, *args, **kwargs):
        seen.append((name, translation.get_language(), context["SITE_NAME"]))
        return render(name, context, *args, **kwargs)

    monkeypatch.setattr(module, "render_to_string", spy)
    sent = send_templated_email(
        template="resellers/email/decision_waitlisted",
        to="nuria@example.org",
        language="ca",
        context={"application": application, "steward": application.steward},
    )
    assert sent == 1
    assert [name for name, *_ in seen] == [
        "resellers/email/decision_waitlisted_subject.txt",
        "resellers/email/decision_waitlisted.txt",
    ]
    assert {(language, site) for _name, language, site in seen} == {("ca", "Co-op & Friends")}
    (message,) = mail.outbox
    assert message.to == ["nuria@example.org"]
    assert "\n" not in message.subject and "llista d'espera" in message.subject  # in Catalan
    assert message.body.rstrip().endswith("Co-op & Friends")  # plain text: nothing escaped
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
