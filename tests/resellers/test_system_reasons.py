"""The reasons the system gives for a decision on an application (a full level, the email's
owner, the assembly's outcome) are stored as codes and read in the reader's language: the
applicant's in the decision email, the admin's in the decisions and the list's export; a
reason a steward admin typed is shown as typed. Migration 0017 turns the reasons stored
before as words, in any shipped language, into those codes."""

import importlib

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from resellers import services
from resellers.admin.applications import ApplicationDecisionInline
from resellers.models import Application, ApplicationDecision
from resellers.services import application_approve, application_owner_confirm
from tests.factories import ApplicationFactory, MemberContactFactory, MembershipFactory

from .test_ownership import TODAY, VICTIM

pytestmark = pytest.mark.django_db

migration = importlib.import_module("resellers.migrations.0017_system_reasons_as_codes_data")

FULL = "The level is full; the application waits for a place."
FILLED = (
    "Confirmed by the email's owner, but the level filled meanwhile: the application waits "
    "for a place."
)


@pytest.fixture
def full(setup, small, steward):
    MembershipFactory.create_batch(2, steward=setup, service_level=small)  # capacity 2
    return small


def _submit(steward, level, terms, language="fr"):
    return services.application_submit(
        steward=steward,
        kind="person",
        name="Pol Roca",
        email="pol@example.org",
        country="ES",
        language=language,
        type="user",
        service_level=level,
        accepted_terms=list(terms.values()),
    )


def test_a_full_level_is_said_in_the_readers_language(setup, full, terms):
    application = _submit(setup, full, terms)
    assert application.status == Application.Status.WAITLISTED
    (decision,) = ApplicationDecision.objects.filter(application=application)
    assert (decision.reason, decision.reason_code) == ("", "level_full")
    inline = ApplicationDecisionInline(Application, site)
    assert inline.reason_words(decision) == FULL
    for language in ("de", "es"):
        with translation.override(language):
            assert inline.reason_words(decision) == gettext(FULL) != FULL
            assert application.decision_reason_words == gettext(FULL)


@pytest.mark.parametrize("language", ["ca", "fr"])
def test_the_waitlisted_email_says_why_in_the_applicants_language(
    language, setup, small, terms, steward_admin
):
    contact = MemberContactFactory(member__email=VICTIM, user__email=VICTIM)
    application = ApplicationFactory(
        steward=setup, service_level=small, email=VICTIM, language=language,
        terms=list(terms.values()),
    )  # fmt: skip
    with translation.override("en"):  # the admin and the system write in English
        application_approve(application=application, actor=steward_admin, on=TODAY)
        MembershipFactory.create_batch(2, steward=setup, service_level=small)
        application_owner_confirm(application=application, on=TODAY, actor=contact.user)
    application.refresh_from_db()
    assert application.status == Application.Status.WAITLISTED
    mail.outbox.clear()
    services.application_decision_notify(application_id=application.pk)
    (message,) = mail.outbox
    with translation.override(language):
        assert gettext(FILLED) in message.body
    assert FILLED not in message.body


def test_a_reason_a_person_typed_is_shown_as_typed(setup, small, terms, steward_admin):
    application = ApplicationFactory(steward=setup, service_level=small, language="de")
    services.application_waitlist(
        application=application, actor=steward_admin, reason="Wir melden uns im Mai."
    )
    application.refresh_from_db()
    with translation.override("fr"):
        assert application.decision_reason_words == "Wir melden uns im Mai."
    services.application_decision_notify(application_id=application.pk)
    assert "Wir melden uns im Mai." in mail.outbox[-1].body


def test_the_mapping_knows_the_reasons_in_english_and_in_the_catalogues():
    assert migration.reason_as_code(FULL) == ("level_full", {})
    assert migration.reason_as_code(
        "La persona titular de este correo dice que no envió esta solicitud."
    ) == ("owner_disowned", {})
    blocked = ("blocked", {"n": 1})
    assert migration.reason_as_code(
        "Die Ständige Versammlung hat die Aufnahme nicht beschlossen: 1 Mitglied hat blockiert.",
        blocked,
    ) == ("not_adopted", {"outcome": "blocked", "outcome_params": {"n": 1}})
    assert migration.reason_as_code("Not the right time for us.") is None


def test_the_catalogues_spell_the_reasons_as_the_migration_knows_them():
    for code, texts in migration.REASONS.items():
        for language in ("ca", "de", "es", "fr"):
            with translation.override(language):
                assert gettext(texts[0]) in texts, (code, language)
    for language in ("ca", "de", "es", "fr"):
        with translation.override(language):
            assert gettext(migration.NOT_ADOPTED[0]) in migration.NOT_ADOPTED, language


def test_stored_reasons_become_codes_and_a_persons_reason_stays(setup, small):
    french = ApplicationFactory(steward=setup, service_level=small, status="waitlisted")
    typed = ApplicationFactory(steward=setup, service_level=small, status="rejected")
    french.decision_reason = "Le niveau est complet\u00a0; la candidature attend une place."
    french.save(update_fields=["decision_reason"])
    ApplicationDecision.objects.create(
        application=french, status_to="waitlisted", reason=french.decision_reason
    )
    ApplicationDecision.objects.create(
        application=typed, status_to="rejected", reason="Not the right time for us."
    )
    migration.reasons_as_codes(apps, None)

    french.refresh_from_db()
    assert (french.decision_reason, french.decision_reason_code) == ("", "level_full")
    decision = ApplicationDecision.objects.get(application=french)
    assert (decision.reason, decision.reason_code) == ("", "level_full")
    with translation.override("ca"):
        assert decision.reason_words == gettext(FULL)
    assert ApplicationDecision.objects.get(application=typed).reason == (
        "Not the right time for us."
    )


def test_the_members_data_download_says_why_in_the_readers_language():
    from standing.selectors.data import member_data
    from tests.standing.test_my_data import voting_member

    member, user = voting_member()
    ApplicationFactory(email=member.email, status="waitlisted", decision_reason_code="level_full")
    with translation.override("de"):
        (exported,) = member_data(user, now=timezone.now())["applications"]
        assert exported["decision_reason"] == gettext(FULL) != FULL
    assert "decision_reason_code" not in exported
