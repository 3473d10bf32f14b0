"""An address that only folds to a member's email is not theirs. PostgreSQL upper-cases the
dotless i to I, so Django's ``iexact`` took ``sam@gmaıl.com`` for ``sam@gmail.com``
(``meetcoop.core.lookups.EmailIExact``); SQLite never did."""

import datetime

import pytest
from allauth.account.utils import user_pk_to_url_str
from django.core import mail

from contributions.models import DuesInvoice
from membership.models import Membership, TermsAcceptance
from resellers.models import Application
from resellers.services import application_approve, application_owner_confirm
from tests.factories import MemberContactFactory, OperationalMembershipFactory
from tests.resellers.test_apply import post

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 24)
VICTIM = "sam@gmail.com"
LOOKALIKE = "sam@gma\u0131l.com"  # dotless i: another domain, the applicant's own


def _apply_approve_confirm(client, setup, small, terms, admin, capture):
    assert (
        post(
            client, setup, terms, email=LOOKALIKE, name="Someone Else", service_level=str(small.pk)
        ).status_code
        == 302
    )
    app = Application.objects.get()
    with capture(execute=True):
        application_approve(application=app, actor=admin, on=TODAY)
    app.refresh_from_db()
    if app.status == Application.Status.AWAITING_CONFIRMATION:
        with capture(execute=True):  # the "owner" who answers is whoever reads LOOKALIKE
            application_owner_confirm(application=app, on=TODAY)


def test_a_lookalike_address_joins_nothing_to_the_member(
    client, setup, small, terms, steward_admin, django_capture_on_commit_callbacks
):
    victim = MemberContactFactory(member__email=VICTIM, user__email=VICTIM)
    OperationalMembershipFactory(member=victim.member)
    _apply_approve_confirm(
        client, setup, small, terms, steward_admin, django_capture_on_commit_callbacks
    )
    assert not Membership.objects.filter(member=victim.member, type="user").exists()
    assert not TermsAcceptance.objects.filter(member=victim.member).exists()
    assert not DuesInvoice.objects.filter(membership__member=victim.member).exists()


def test_a_lookalike_address_never_gets_the_members_set_password_link(
    client, setup, small, terms, steward_admin, django_capture_on_commit_callbacks
):
    victim = MemberContactFactory(member__email=VICTIM, user__email=VICTIM)
    victim.user.set_unusable_password()
    victim.user.save()
    OperationalMembershipFactory(member=victim.member)
    _apply_approve_confirm(
        client, setup, small, terms, steward_admin, django_capture_on_commit_callbacks
    )
    uid = user_pk_to_url_str(victim.user)
    leaked = [
        m for m in mail.outbox if m.to == [LOOKALIKE] and f"/password/reset/key/{uid}-" in m.body
    ]
    assert not leaked, leaked[0].body


def test_email_iexact_matches_any_case_and_no_lookalike():
    """The same address in any case is the same email; a letter that only folds to an ASCII
    one (dotless i, long s, the Kelvin sign) makes another address."""
    from meetcoop.users.models import User
    from membership.models import Member
    from tests.factories import MemberFactory, UserFactory

    MemberFactory(email="sam@gmail.com")
    UserFactory(email="kate@example.org")
    assert Member.objects.filter(email__iexact="SAM@Gmail.COM").exists()
    assert User.objects.filter(email__iexact="Kate@Example.org").exists()
    for lookalike in ("sam@gma\u0131l.com", "\u017fam@gmail.com"):
        assert not Member.objects.filter(email__iexact=lookalike).exists(), lookalike
    assert not User.objects.filter(email__iexact="\u212aate@example.org").exists()
