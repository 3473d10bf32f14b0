"""Migration 0020: at-risk notices about a pending terms version, stored by the document's
label in some language, are rewritten to the document's code, so that nobody warned before is
warned again for the same version."""

import importlib

import pytest
from django.apps import apps

from membership.models import StatusNotice
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("membership.migrations.0020_terms_notice_causes_as_codes")


def _notice(membership, cause):
    return StatusNotice.objects.create(
        membership=membership, kind=StatusNotice.Kind.AT_RISK, cause=cause, reasons=[]
    )


def _causes(membership):
    notices = StatusNotice.objects.filter(membership=membership)
    return sorted(notices.values_list("cause", flat=True))


def test_labels_in_any_language_become_codes():
    english, catalan, fair = MembershipFactory(), MembershipFactory(), MembershipFactory()
    _notice(english, "terms:Terms of Use:2.0")
    _notice(catalan, "terms:Condicions d'ús:2.0")
    _notice(fair, "terms:Fair Use Agreement:1.1")
    assert migration._labels()["Condicions d'ús"] == "terms_of_use"
    migration.causes_as_codes(apps, None)
    assert _causes(english) == ["terms:terms_of_use:2.0"]
    assert _causes(fair) == ["terms:fair_use:1.1"]
    assert _causes(catalan) == ["terms:terms_of_use:2.0"]


def test_a_member_warned_twice_keeps_both_rows_and_no_clash():
    membership = MembershipFactory()
    _notice(membership, "terms:Terms of Use:2.0")
    _notice(membership, "terms:terms_of_use:2.0")
    _notice(membership, "terms:Terms of Use:3.0")
    migration.causes_as_codes(apps, None)
    assert _causes(membership) == [
        "terms:Terms of Use:2.0",
        "terms:terms_of_use:2.0",
        "terms:terms_of_use:3.0",
    ]


def test_other_notices_are_left_alone():
    membership = MembershipFactory()
    _notice(membership, "dues:2026-01-01")
    _notice(membership, "terms:unknown document:1")
    migration.causes_as_codes(apps, None)
    assert _causes(membership) == ["dues:2026-01-01", "terms:unknown document:1"]
