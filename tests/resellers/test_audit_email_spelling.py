"""One open application per email per steward, whatever spelling of the address reaches the
same mailbox. Django's ``EmailField`` takes a domain with a soft hyphen or a zero-width space
(invisible on the page) or full-width letters, and a needlessly quoted local part; mail
delivery folds them all into the plain address (IDNA's nameprep, RFC 5321). Compared as
typed, they made a second open application at the same steward, and approving one took a
member's address for a new one: nobody asked the owner, and a second member and login were
made for one mailbox (``meetcoop.core.emails.email_canonical``)."""

import pytest
from django.core.mail.message import sanitize_address

from meetcoop.core.emails import email_canonical
from membership.models import Member
from membership.selectors import email_in_use
from resellers.models import Application
from resellers.services import application_approve
from tests.factories import ApplicationFactory, MemberContactFactory
from tests.resellers.test_apply import post

pytestmark = pytest.mark.django_db

MAILBOX = "nuria@example.org"
SAME_MAILBOX = [
    "nuria@exam\u00adple.org",  # a soft hyphen: invisible
    "nuria@exa\u200bmple.org",  # a zero-width space: invisible
    "nuria@\uff45xample.org",  # a full-width e
    "nuria@\u212fxample.org",  # the script small e
    "nuria@example.\uff4f\uff52\uff47",  # a full-width top-level domain
    '"nuria"@example.org',  # quotes that change nothing
    "  NURIA@Example.ORG ",
]


@pytest.mark.parametrize("typed", SAME_MAILBOX)
def test_each_spelling_reaches_the_same_mailbox_when_sent(typed):
    """What the tests below rely on: Django's mail sends each to the plain address."""
    assert sanitize_address(typed.strip().lower(), "utf-8") == MAILBOX
    assert email_canonical(typed) == MAILBOX


@pytest.mark.parametrize("typed", SAME_MAILBOX)
def test_a_second_spelling_of_an_open_applications_email_is_not_a_second_application(
    client, setup, small, terms, mailoutbox, django_capture_on_commit_callbacks, typed
):
    ApplicationFactory(steward=setup, service_level=small, email=MAILBOX)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, setup, terms, email=typed, service_level=str(small.pk))
    assert response.status_code == 302  # the same answer as for any application
    assert list(Application.objects.values_list("email", flat=True)) == [MAILBOX]
    [notice] = [m for m in mailoutbox if m.to == [MAILBOX]]
    assert "You already have an open application there" in notice.body


def test_an_application_is_stored_in_the_spelling_mail_reaches(client, setup, small, terms):
    post(client, setup, terms, email="Nuria@Exam\u00adple.ORG", service_level=str(small.pk))
    assert Application.objects.get().email == MAILBOX


def test_a_members_address_with_an_invisible_character_asks_the_member(
    client, setup, small, terms, steward_admin, django_capture_on_commit_callbacks, mailoutbox
):
    victim = MemberContactFactory(member__email=MAILBOX, user__email=MAILBOX)
    post(
        client,
        setup,
        terms,
        email="nuria@exam\u00adple.org",
        name="Someone Else",
        service_level=str(small.pk),
    )
    app = Application.objects.get()
    members = set(Member.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application=app, actor=steward_admin)
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_CONFIRMATION
    # No second member (nor login) for one mailbox, and nothing joined to the member yet.
    assert set(Member.objects.values_list("pk", flat=True)) == members
    assert app.member_id is None and not victim.member.memberships.exists()
    assert any(m.to == [MAILBOX] and "/apply/confirm/" in m.body for m in mailoutbox)


def test_email_in_use_reads_every_spelling_of_a_members_address():
    MemberContactFactory(member__email=MAILBOX, user__email=MAILBOX)
    for typed in SAME_MAILBOX:
        assert email_in_use(email=typed), typed


IDN_MAILBOX = "ana@m\u00fcnchen.de"
IDN_SPELLINGS = ["ana@xn--mnchen-3ya.de", "ana@XN--MNCHEN-3YA.DE", "ANA@M\u00dcNCHEN.DE"]


@pytest.mark.parametrize("typed", IDN_SPELLINGS)
def test_the_ascii_spelling_of_an_international_domain_is_the_same_mailbox(typed):
    """Sending writes the domain in ASCII (punycode): both spellings reach one mailbox."""
    assert sanitize_address(typed.lower(), "utf-8") == sanitize_address(IDN_MAILBOX, "utf-8")
    assert email_canonical(typed) == IDN_MAILBOX


@pytest.mark.parametrize("typed", IDN_SPELLINGS)
def test_the_ascii_spelling_of_an_open_applications_domain_is_not_a_second_application(
    client, setup, small, terms, typed
):
    ApplicationFactory(steward=setup, service_level=small, email=IDN_MAILBOX)
    response = post(client, setup, terms, email=typed, service_level=str(small.pk))
    assert response.status_code == 302
    assert list(Application.objects.values_list("email", flat=True)) == [IDN_MAILBOX]


def test_email_in_use_reads_the_ascii_spelling_of_a_members_international_domain():
    MemberContactFactory(member__email=IDN_MAILBOX, user__email=IDN_MAILBOX)
    for typed in IDN_SPELLINGS:
        assert email_in_use(email=typed), typed


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("sam@gma\u0131l.com", "sam@gma\u0131l.com"),  # a dotless i: another domain
        ("ana@M\u00dcNCHEN.de", "ana@m\u00fcnchen.de"),  # a real IDN stays readable
        ("ana@xn--zz.de", "ana@xn--zz.de"),  # not punycode: compared as typed
        ('"nu\\"ria"@example.org', '"nu\\"ria"@example.org'),  # quotes that are needed
        ("nuria+rooms@example.org", "nuria+rooms@example.org"),  # the provider's business
    ],
)
def test_other_addresses_stay_other_addresses(typed, canonical):
    assert email_canonical(typed) == canonical


def test_an_address_that_grows_past_the_limit_when_spelled_out_is_a_form_error(
    client, setup, small, terms
):
    """The ligature "ﬃ" is "ffi" to IDNA: 254 characters typed, 256 stored, which
    PostgreSQL refused with a 500."""
    typed = "n@" + "a" * 60 + "\ufb03." + "b" * 60 + "." + "c" * 60 + "." + "d" * 63 + ".org"
    assert len(typed) <= 254 < len(email_canonical(typed))
    response = post(client, setup, terms, email=typed, service_level=str(small.pk))
    assert response.status_code == 200
    assert not Application.objects.exists()
