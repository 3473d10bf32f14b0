"""A member downloads everything the co-op holds about it (DOMAIN.md: a member may export its
data)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from governance import services as governance
from governance.models import Voter
from membership.services import membership_status_set
from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    CircleRoleFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    MemberContactFactory,
    MembershipFactory,
    MoneyEntryFactory,
    ProposalFactory,
    RevenueReportFactory,
    StewardFactory,
    TermsAcceptanceFactory,
    voting_member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

URL = reverse("standing:my_data")


def download(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response, json.loads(response.content)


def a_full_member(*, entries=1):
    member, user = voting_member()
    membership = member.memberships.get()
    user_membership = MembershipFactory(member=member)
    invoice = DuesInvoiceFactory(membership=user_membership, amount=Decimal("10.00"))
    DuesPaymentFactory(invoice=invoice)
    TermsAcceptanceFactory(member=member)
    seat = CircleRoleFactory(member=member)
    for i in range(entries):
        LabourEntryFactory(member=member, circle=seat.circle, description=f"Work {i}")
        MoneyEntryFactory(member=member, amount=Decimal("25.00"), description=f"Gift {i}")
        AttendanceFactory(member=member)
    ApplicationFactory(email=member.email, statement="I want to help.")
    RevenueReportFactory(steward=StewardFactory(kind="reseller", member=member))
    return member, user, membership


def test_a_payment_refunded_by_a_treasurer_shows_the_refund_and_its_reason(client, coop_admin):
    from contributions.services import dues_payment_refund

    member, user, _membership = a_full_member()
    payment = DuesPaymentFactory._meta.model.objects.get(invoice__membership__member=member)
    dues_payment_refund(
        payment=payment, amount="4", currency="EUR", reason="Two weeks off.", actor=coop_admin
    )
    _response, data = download(client, user)
    user_membership = next(m for m in data["members"][0]["memberships"] if m["type"] == "user")
    [payment_data] = user_membership["dues_invoices"][0]["payments"]
    [refund] = payment_data["refunds"]
    assert (refund["amount"], refund["reason"]) == ("4.00", "Two weeks off.")


def test_a_member_downloads_all_of_its_data(client, coop_admin):
    member, user, membership = a_full_member()
    membership_status_set(
        membership=membership, status="suspended", actor=coop_admin, note="Resold rooms."
    )
    proposal = ProposalFactory(author=coop_admin)
    now = datetime.datetime.now(datetime.UTC)
    proposal = governance.proposal_open(
        proposal=proposal, closes_at=now + datetime.timedelta(days=1), actor=coop_admin, now=now
    )
    governance.stance_cast(
        proposal=proposal,
        member=member,
        stance=Voter.Stance.BLOCK,
        reason="Too expensive.",
        actor=user,
        now=now,
    )

    response, data = download(client, user)
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert data["account"]["email"] == user.email
    [mine] = data["members"]
    assert (mine["name"], mine["email"]) == (member.name, member.email)
    operational = next(m for m in mine["memberships"] if m["type"] == "operational")
    assert operational["status"] == "suspended"
    assert operational["status_history"][-1]["new_status"] == "suspended"
    assert operational["status_history"][-1]["note"] == "Resold rooms."
    user_membership = next(m for m in mine["memberships"] if m["type"] == "user")
    [invoice] = user_membership["dues_invoices"]
    assert invoice["amount"] == "10.00" and len(invoice["payments"]) == 1
    assert [(e["description"], e["kind"]) for e in mine["ledger"]] == [
        ("Work 0", "labour"),
        ("Gift 0", "money"),
    ]
    assert len(mine["terms_accepted"]) == 1
    assert len(mine["circle_seats"]) == 1 and len(mine["attendance"]) == 1
    assert [(s["stance"], s["reason"]) for s in mine["stances"]] == [("block", "Too expensive.")]
    assert mine["revenue_reports"][0]["share_eur"] == "100.00"
    assert [a["statement"] for a in data["applications"]] == ["I want to help."]


def test_the_reasons_of_a_change_are_in_words(client):
    from standing.services import status_recompute

    member, user = voting_member()
    status_recompute(on=datetime.date(2026, 11, 24))  # no circle, no hours: lapses
    _response, data = download(client, user)
    [change] = data["members"][0]["memberships"][0]["status_history"]
    assert change["new_status"] == "lapsed"
    assert {
        "code": "circle_none",
        "ok": False,
        "text": "Not a member of any circle; operational members need at least one.",
    } in change["reasons"]


def test_nothing_of_another_member_is_in_it(client):
    _member, user, _membership = a_full_member()
    other, _other_user, _ = a_full_member()
    _response, data = download(client, user)
    text = json.dumps(data)
    assert other.email not in text and other.name not in text


def test_each_contact_of_an_organisation_downloads_its_data(client):
    contact = MemberContactFactory(
        member__kind="organisation", member__name="Ada", member__organisation_name="Fair Food"
    )
    second = MemberContactFactory(member=contact.member, user__email="second@example.org")
    MembershipFactory(member=contact.member)
    _response, data = download(client, second.user)
    assert data["account"]["email"] == "second@example.org"
    assert [m["organisation_name"] for m in data["members"]] == ["Fair Food"]
    assert len(data["members"][0]["memberships"]) == 1


def test_someone_signed_out_is_asked_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries):
    _m, small, _ = a_full_member(entries=1)
    _m, large, _ = a_full_member(entries=30)
    client.force_login(small)
    with django_assert_max_num_queries(30) as captured:
        client.get(URL)
    few = len(captured.captured_queries)
    client.force_login(large)
    with django_assert_max_num_queries(few):
        client.get(URL)


def test_the_dashboard_links_to_the_download(client):
    _member, user = voting_member()
    client.force_login(user)
    page = client.get(reverse("standing:dashboard")).content.decode()
    assert f'href="{URL}"' in page and "Download my data" in page


def test_applications_made_with_the_members_email_in_any_case_are_included(client):
    member, user = voting_member()
    ApplicationFactory(email=member.email.upper(), statement="Written in capitals.")
    ApplicationFactory(statement="Somebody else's.")
    _response, data = download(client, user)
    assert [a["statement"] for a in data["applications"]] == ["Written in capitals."]


def test_a_login_that_speaks_for_no_member_gets_its_account(client, coop_admin):
    _response, data = download(client, coop_admin)
    assert data["account"]["email"] == coop_admin.email
    assert data["members"] == [] and data["applications"] == []
