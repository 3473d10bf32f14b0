"""An admitted operational member's pledge of money becomes an invoice it can act on."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from freezegun import freeze_time
from stdnum import iso11649

from contributions import invoice_views
from contributions.models import PledgeInvoice
from contributions.services import pledge_invoices_issue
from contributions.tasks import issue_next_dues_invoices
from meetcoop.core.audit import AuditEntry
from meetcoop.core.roles import TREASURERS
from resellers.services import application_admit
from tests.contributions.test_invoice_pages import pdf_text
from tests.factories import (
    ApplicationFactory,
    CoopStewardFactory,
    MemberContactFactory,
    MoneyEntryFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADMITTED = datetime.date(2026, 3, 1)
DEADLINE = ADMITTED + datetime.timedelta(days=365)


def admitted(*, pledge_money=Decimal("300.00"), currency="EUR", status="active", **kwargs):
    """An operational membership admitted on ADMITTED, its application pledging money."""
    contact = MemberContactFactory()
    membership = OperationalMembershipFactory(
        member=contact.member,
        applied_on=datetime.date(2026, 2, 1),
        admitted_on=ADMITTED,
        status=status,
        **kwargs,
    )
    ApplicationFactory(
        operational=True,
        steward=membership.steward,
        status="admitted",
        member=contact.member,
        membership=membership,
        pledge_money=pledge_money,
        pledge_currency=currency,
    )
    membership.user = contact.user
    return membership


@pytest.fixture
def policy(db):
    return PolicyFactory()  # commitment deadline: 365 days


def test_a_money_pledge_is_invoiced_once_due_at_the_commitment_deadline(policy):
    membership = admitted()
    assert pledge_invoices_issue(on=ADMITTED) == 1
    invoice = PledgeInvoice.objects.get()
    assert invoice.membership == membership
    assert (invoice.amount, invoice.currency) == (Decimal("300.00"), "EUR")
    assert invoice.due_on == DEADLINE
    assert iso11649.is_valid(invoice.reference)
    assert pledge_invoices_issue(on=ADMITTED) == 0  # twice is a no-op
    assert PledgeInvoice.objects.count() == 1
    assert AuditEntry.objects.filter(action="contributions.pledge.issued").count() == 1


def test_only_active_memberships_that_pledged_money_get_one(policy):
    admitted(pledge_money=Decimal("0"))
    admitted(status="lapsed")
    OperationalMembershipFactory()  # no application (added in the admin)
    ApplicationFactory(status="admitted", pledge_money=Decimal("50"))  # a user application
    assert pledge_invoices_issue(on=ADMITTED) == 0
    assert not PledgeInvoice.objects.exists()


def test_the_pledge_keeps_its_currency_and_the_policy_that_binds_the_membership(policy):
    # A later policy shortens the deadline; the membership applied under the first one.
    PolicyFactory(effective_from=datetime.date(2026, 2, 15), commitment_deadline_days=100)
    membership = admitted(pledge_money=Decimal("400.00"), currency="CAD")
    pledge_invoices_issue(on=ADMITTED)
    invoice = membership.pledge_invoice
    assert (invoice.amount, invoice.currency, invoice.due_on) == (
        Decimal("400.00"),
        "CAD",
        DEADLINE,
    )


def test_the_nightly_dues_task_issues_pledge_invoices_too(policy):
    admitted()
    issue_next_dues_invoices(ADMITTED.isoformat())
    issue_next_dues_invoices(ADMITTED.isoformat())
    assert PledgeInvoice.objects.count() == 1


def test_an_admission_issues_the_pledge_invoice_after_commit(
    policy, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(
        operational=True,
        steward=CoopStewardFactory(),
        status="awaiting_assembly",
        pledge_money=Decimal("250.00"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        membership = application_admit(application=application, actor=None, on=ADMITTED)
    invoice = PledgeInvoice.objects.get()
    assert invoice.membership == membership
    assert invoice.amount == Decimal("250.00")
    assert invoice.due_on == ADMITTED + datetime.timedelta(days=365)


# --- its page -----------------------------------------------------------------------------------


@pytest.fixture
def pledge(policy):
    steward = StewardFactory(
        name="Société Coopérative",
        other_account_details="Caisse Desjardins, transit 12345, compte 6789012",
        contact_email="caisse@example.org",
    )
    membership = admitted(steward=steward)
    pledge_invoices_issue(on=ADMITTED)
    return membership.pledge_invoice, membership


def get(client, user, invoice, name="contributions:pledge_detail"):
    client.force_login(user)
    return client.get(reverse(name, args=[invoice.pk]))


@pytest.mark.parametrize("name", ["contributions:pledge_detail", "contributions:pledge_pdf"])
def test_the_pledge_invoice_is_seen_only_by_those_it_concerns(client, pledge, name):
    invoice, membership = pledge
    treasurer = UserFactory()
    treasurer.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    for user in (membership.user, StewardAdminFactory(stewards=[membership.steward]), treasurer):
        assert get(client, user, invoice, name).status_code == 200
    for user in (StewardAdminFactory(stewards=[StewardFactory()]), MemberContactFactory().user):
        assert get(client, user, invoice, name).status_code == 404


@freeze_time("2026-06-01")
def test_the_pledge_page_shows_what_is_paid_the_other_details_and_the_reference(client, pledge):
    invoice, membership = pledge
    MoneyEntryFactory(
        member=membership.member,
        status="approved",
        amount=Decimal("100.00"),
        pledge_invoice=invoice,
        occurred_on=datetime.date(2026, 4, 1),
    )
    MoneyEntryFactory(member=membership.member, status="pending", pledge_invoice=invoice)
    MoneyEntryFactory(member=membership.member, status="approved")  # not for the pledge
    response = get(client, membership.user, invoice)
    html = response.content.decode()
    facts = dict(response.context["facts"])
    assert facts["What for"] == "Money pledged toward the commitment to the co-op"
    assert facts["Paid so far"] == "€100.00"
    assert facts["Outstanding"] == "€200.00"
    assert "Last day of grace" not in facts
    assert response.context["page"].status == "open"
    assert "Caisse Desjardins, transit 12345, compte 6789012" in html
    assert iso11649.format(invoice.reference) in html


def test_a_reversed_payment_no_longer_counts(client, pledge):
    invoice, membership = pledge
    paid = MoneyEntryFactory(
        member=membership.member,
        status="approved",
        amount=Decimal("300.00"),
        pledge_invoice=invoice,
    )
    with freeze_time("2026-06-01"):
        assert get(client, membership.user, invoice).context["page"].status == "paid"
        MoneyEntryFactory(
            member=membership.member,
            status="approved",
            amount=Decimal("-300.00"),
            eur_value=Decimal("-300.00"),
            reverses=paid,
            occurred_on=datetime.date(2026, 5, 1),
        )
        assert get(client, membership.user, invoice).context["page"].status == "open"
    with freeze_time(DEADLINE + datetime.timedelta(days=1)):
        assert get(client, membership.user, invoice).context["page"].status == "overdue"


def test_the_pledge_pdf_carries_the_reference(client, pledge, monkeypatch):
    monkeypatch.setattr(invoice_views, "COMPRESS_PDF", False)
    invoice, membership = pledge
    response = get(client, membership.user, invoice, "contributions:pledge_pdf")
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert iso11649.format(invoice.reference) in text
    assert "Société Coopérative" in text


def test_the_pledge_pages_queries_are_few(client, pledge, django_assert_max_num_queries):
    invoice, membership = pledge
    for _ in range(5):
        MoneyEntryFactory(
            member=membership.member, status="approved", amount=Decimal("1"), pledge_invoice=invoice
        )
    client.force_login(membership.user)
    url = reverse("contributions:pledge_detail", args=[invoice.pk])
    client.get(url)
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200


# --- /me/ ---------------------------------------------------------------------------------------


@freeze_time("2026-06-01")
def test_me_lists_the_open_invoices_with_a_link_to_pay(client, pledge):
    from tests.factories import DuesInvoiceFactory, DuesPaymentFactory, MembershipFactory

    invoice, membership = pledge
    user_membership = MembershipFactory(member=membership.member)
    open_dues = DuesInvoiceFactory(membership=user_membership, amount=Decimal("12.00"))
    paid_dues = DuesInvoiceFactory(
        membership=user_membership,
        period_start=datetime.date(2026, 2, 1),
        period_end=datetime.date(2026, 2, 28),
    )
    DuesPaymentFactory(invoice=paid_dues)
    client.force_login(membership.user)
    response = client.get(reverse("standing:dashboard"))
    html = response.content.decode()
    rows = response.context["open_invoices"]
    assert [(r["kind"], r["invoice"].pk) for r in rows] == [
        ("dues", open_dues.pk),
        ("pledge", invoice.pk),
    ]
    assert reverse("contributions:pledge_detail", args=[invoice.pk]) in html
    assert reverse("contributions:invoice_detail", args=[open_dues.pk]) in html
    assert "How to pay" in html
    assert "€300.00" in html and "€12.00" in html
    # The paid one is still in the dues table, not among those to pay.
    assert paid_dues.pk not in [r["invoice"].pk for r in rows]


# --- the admin ----------------------------------------------------------------------------------


def test_the_admin_shows_the_reference_and_links_to_the_members_page(client, pledge):
    invoice, membership = pledge
    other = admitted(steward=StewardFactory())
    pledge_invoices_issue(on=ADMITTED)
    admin = StewardAdminFactory(stewards=[membership.steward])
    client.force_login(admin)
    changelist = client.get(reverse("admin:contributions_pledgeinvoice_changelist"))
    assert changelist.status_code == 200
    assert iso11649.format(invoice.reference) in changelist.content.decode()
    assert iso11649.format(other.pledge_invoice.reference) not in changelist.content.decode()
    page = client.get(reverse("admin:contributions_pledgeinvoice_change", args=[invoice.pk]))
    html = page.content.decode()
    assert iso11649.format(invoice.reference) in html
    assert "View the member&#x27;s page" in html or "View the member's page" in html
    assert reverse("contributions:pledge_detail", args=[invoice.pk]) in html
    another = reverse("admin:contributions_pledgeinvoice_change", args=[other.pledge_invoice.pk])
    assert client.get(another).status_code == 404


def test_the_dues_invoice_admin_shows_the_reference_and_the_link(client, policy):
    from tests.factories import DuesInvoiceFactory

    invoice = DuesInvoiceFactory()
    admin = StewardAdminFactory(stewards=[invoice.membership.steward])
    client.force_login(admin)
    html = client.get(
        reverse("admin:contributions_duesinvoice_change", args=[invoice.pk])
    ).content.decode()
    assert iso11649.format(invoice.reference) in html
    assert reverse("contributions:invoice_detail", args=[invoice.pk]) in html
