"""Money in, as people do it: a member opens their invoice from /me/ and sees the reference to
quote; the treasurer imports the bank's CAMT.053 statement, sees the line matched by that
reference and confirms; the member's invoice then reads paid. axe on each page."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from meetcoop.core.banking import format_rf
from meetcoop.core.roles import TREASURERS
from tests.browser.a11y import assert_accessible
from tests.browser.people import sign_in
from tests.contributions.bank_samples import camt, entry
from tests.factories import (
    DuesInvoiceFactory,
    MemberContactFactory,
    MembershipFactory,
    PolicyFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_pays_by_reference_and_the_treasurer_imports_the_statement(
    browser, live_server, tmp_path
):
    PolicyFactory()
    steward = StewardFactory(
        name="Comuns Reunits",
        operational=True,
        account_holder="Comuns Reunits SCCL",
        iban="ES9121000418450200051332",
    )
    contact = MemberContactFactory(member__name="Núria Puig")
    today = datetime.date.today()
    membership = MembershipFactory(member=contact.member, steward=steward)
    invoice = DuesInvoiceFactory(
        membership=membership,
        period_start=today,
        period_end=today + datetime.timedelta(days=29),
        due_on=today,
        amount=Decimal("12.00"),
    )
    treasurer = UserFactory(email="treasurer@example.org")
    treasurer.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])

    member = sign_in(browser, live_server, contact.user.email)
    member.goto("/me/")
    member.get_by_role("link", name="How to pay").first.click()
    expect(member.locator("main")).to_contain_text(format_rf(invoice.reference))
    expect(member.locator("main")).to_contain_text("ES91 2100 0418 4502 0005 1332")
    assert_accessible(member, where="a member's invoice")

    statement = tmp_path / "statement.xml"
    statement.write_bytes(
        camt(
            entry(
                "12.00",
                day=today.isoformat(),
                name="Nuria Puig",
                ref=invoice.reference,
                acct_ref="BANK-1",
            )
        )
    )
    t = sign_in(browser, live_server, treasurer.email)
    t.goto("/contributions/statements/upload/")
    t.set_input_files("input[name=file]", str(statement))
    assert_accessible(t, where="the statement upload form")
    t.get_by_role("button", name="Import and preview").click()
    expect(t.locator("main")).to_contain_text(invoice.reference)
    assert_accessible(t, where="the statement's preview")
    t.get_by_role("button", name="Confirm: record the chosen payments").click()
    expect(t.locator(".messages")).to_be_visible()

    member.reload()
    expect(member.locator("#invoice-status")).to_contain_text("paid")
