"""Every page a member, an applicant or a coordinator meets, and the emails they get, read
wholly in their language: none of the project's English is left (tests/english.py)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance import services as governance_services
from membership.models import Membership
from tests.english import english_left
from tests.factories import (
    CircleRoleFactory,
    CoopStewardFactory,
    DuesInvoiceFactory,
    MembershipFactory,
    PolicyFactory,
    ProposalFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsVersionFactory,
    UserFactory,
    voting_member,
)

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.fixture
def coop(db):
    PolicyFactory()
    TermsVersionFactory(document="terms_of_use")
    CoopStewardFactory()
    level = ServiceLevelFactory(code="small", minimum_amount=Decimal("10.00"))
    stewards = {}
    for language in LANGUAGES:
        steward = StewardFactory(slug=f"steward-{language}", languages=[language], operational=True)
        StewardOfferFactory(steward=steward, service_level=level, capacity=5)
        stewards[language] = steward
    admin = UserFactory(is_staff=True, is_superuser=True)
    return {"level": level, "stewards": stewards, "admin": admin}


def member_in(language, coop):
    member, user = voting_member(member__language=language)
    user.language = language
    user.save(update_fields=["language"])
    user_membership = MembershipFactory(
        member=member,
        type=Membership.Type.USER,
        status="active",
        steward=coop["stewards"][language],
        service_level=coop["level"],
    )
    DuesInvoiceFactory(membership=user_membership, amount=Decimal("1234.50"))
    CircleRoleFactory(member=member, role="coordinator")
    return member, user


def assert_no_english(response_or_text, language, where):
    text = (
        response_or_text if isinstance(response_or_text, str) else response_or_text.content.decode()
    )
    left = english_left(text, language)
    assert not left, f"{where} in {language} still says: {left[:8]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_read_wholly_in_the_visitors_language(client, coop, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in [
        "/",
        reverse("resellers:steward_list"),
        reverse("resellers:apply", args=[coop["stewards"][language].slug]),
        reverse("account_login"),
        reverse("account_reset_password"),
        "/no-such-page/",
    ]:
        response = client.get(url)
        assert response["Content-Language"] == language, url
        assert_no_english(response, language, url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_members_pages_read_wholly_in_their_language(client, coop, language):
    member, user = member_in(language, coop)
    proposal = governance_services.proposal_open(
        proposal=ProposalFactory(author=coop["admin"], title="Rooms for all"),
        closes_at=timezone.now() + datetime.timedelta(days=3),
        actor=coop["admin"],
    )
    client.force_login(user)
    for url in [
        reverse("standing:dashboard"),
        reverse("standing:home"),
        reverse("contributions:my_ledger"),
        reverse("contributions:coordinate"),
        reverse("governance:proposal_list"),
        reverse("governance:proposal_detail", args=[proposal.pk]),
        reverse("governance:circle_list"),
        reverse("governance:meeting_list"),
        reverse("governance:document_list"),
        reverse("membership:status_history", args=[member.memberships.first().pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language, url
        assert_no_english(response, language, url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_money_and_dates_are_written_the_readers_way(client, coop, language):
    _member, user = member_in(language, coop)
    client.force_login(user)
    html = client.get(reverse("standing:dashboard")).content.decode()
    expected = {
        "ca": "1.234,50\xa0€",
        "es": "1.234,50\xa0€",
        "fr": "1\u202f234,50\xa0€",
        "de": "1.234,50\xa0€",
    }[language]
    assert expected in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_members_status_email_reads_wholly_in_their_language(coop, language):
    from membership.services import membership_status_set, status_notices_send

    member, _user = member_in(language, coop)
    membership = member.memberships.get(type=Membership.Type.OPERATIONAL)
    mail.outbox.clear()
    membership_status_set(
        membership=membership, status="suspended", actor=coop["admin"], note="Ref. 42"
    )
    status_notices_send()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert_no_english(message.subject + "\n" + message.body, language, "the status email")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_applicant_is_written_to_in_the_language_they_applied_in(
    client, coop, language, django_capture_on_commit_callbacks
):
    steward = coop["stewards"][language]
    admin = StewardAdminFactory(email=f"admin-{language}@example.org", stewards=[steward])
    admin.language = "de" if language != "de" else "fr"
    admin.save(update_fields=["language"])
    terms = TermsVersionFactory._meta.model.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply(client, steward, coop, terms, language)
    assert response.status_code == 302, response.context["form"].errors
    _check_mails(admin, language)


def _apply(client, steward, coop, terms, language):
    return client.post(
        reverse("resellers:apply", args=[steward.slug]),
        {
            "kind": "person",
            "name": "Núria Puig",
            "email": "nuria@example.org",
            "country": "ES",
            "language": language,
            "type": "user",
            "service_level": str(coop["level"].pk),
            f"accept_{terms.document}": "on",
            f"{terms.document}_version": str(terms.pk),
        },
    )


def _check_mails(admin, language):
    to_applicant = [m for m in mail.outbox if m.to == ["nuria@example.org"]]
    to_admin = [m for m in mail.outbox if m.to == [admin.email]]
    assert to_applicant and to_admin
    for message in to_applicant:
        assert_no_english(message.subject + "\n" + message.body, language, "the applicant's email")
    # The steward's admin reads their own language, whatever the applicant's.
    for message in to_admin:
        assert_no_english(message.subject + "\n" + message.body, admin.language, "admin email")
