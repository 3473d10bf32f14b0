"""Paying an invoice online with Stripe Checkout, without the network: the Checkout Session
is created by a stand-in, and every webhook is signed with the stripe library's own signing
helper (``stripe.WebhookSignature.generate_signature_header``)."""

import datetime
import json
import threading
import time
from decimal import Decimal

import pytest
import stripe
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from contributions import selectors, services
from contributions.models import (
    DuesPayment,
    DuesRefund,
    LedgerEntry,
    OnlinePayment,
    OnlinePaymentEvent,
    PledgeInvoice,
)
from contributions.payments import minor_units, stripe_checkout
from contributions.selectors.online_payments import invoice_outstanding
from resellers.admin.stewards import StewardForm
from tests.factories import (
    CoopStewardFactory,
    DuesInvoiceFactory,
    MemberContactFactory,
    MembershipFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_secret"
WEBHOOK = "/contributions/webhooks/stripe/"
TODAY = datetime.date.today()


@pytest.fixture
def stripe_on(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_not_real"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    return settings


@pytest.fixture
def sessions(monkeypatch):
    """Checkout Sessions "created" at Stripe: the parameters sent, one new id each."""
    sent = []

    def create(params, *, idempotency_key=""):
        sent.append(params)
        n = len(sent)
        return {"id": f"cs_test_{n}", "url": f"https://checkout.stripe.com/c/pay/cs_test_{n}"}

    monkeypatch.setattr(stripe_checkout, "checkout_session_create", create)
    return sent


@pytest.fixture
def member(db):
    PolicyFactory()
    contact = MemberContactFactory()
    steward = StewardFactory(online_payments=True)
    membership = MembershipFactory(member=contact.member, steward=steward)
    invoice = DuesInvoiceFactory(
        membership=membership,
        amount=Decimal("10.00"),
        due_on=TODAY - datetime.timedelta(days=3),
        period_start=TODAY - datetime.timedelta(days=3),
    )
    return type("Member", (), {"user": contact.user, "steward": steward, "invoice": invoice})


def pay(client, user, invoice):
    client.force_login(user)
    return client.post(reverse("contributions:invoice_pay", args=[invoice.pk]))


def session_event(kind, *, event_id="evt_1", session="cs_test_1", amount=1000, **obj):
    data = {
        "id": session,
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": amount,
        "currency": "eur",
        "payment_intent": "pi_1",
        **obj,
    }
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": data}}


def refund_event(*, event_id="evt_refund", amount=1000, refunded=True, pi="pi_1"):
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": pi,
        "amount": 1000,
        "amount_refunded": amount,
        "refunded": refunded,
        "currency": "eur",
    }
    return {
        "id": event_id,
        "object": "event",
        "type": "charge.refunded",
        "data": {"object": charge},
    }


def send(client, event, *, secret=SECRET, timestamp=None, signed=True, body=None):
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    extra = {"HTTP_STRIPE_SIGNATURE": header} if signed else {}
    return client.post(
        WEBHOOK, data=payload if body is None else body, content_type="application/json", **extra
    )


def partial(**context) -> str:
    return " ".join(render_to_string("contributions/_pay_online.html", context).split())


def unpaid(invoice) -> bool:
    return invoice.membership_id in selectors.unpaid_dues_for([invoice.membership_id], on=TODAY)


# --- starting a payment -----------------------------------------------------------------------


def test_the_member_is_sent_to_a_checkout_session_for_what_it_owes(
    client, stripe_on, sessions, member
):
    response = pay(client, member.user, member.invoice)

    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    (params,) = sessions
    assert params["mode"] == "payment"
    (line,) = params["line_items"]
    assert line["price_data"]["unit_amount"] == 1000
    assert line["price_data"]["currency"] == "eur"
    assert line["quantity"] == 1
    assert params["client_reference_id"] == member.invoice.reference
    assert params["metadata"] == {"invoice_kind": "dues", "invoice_id": str(member.invoice.pk)}
    payment = OnlinePayment.objects.get()
    assert (payment.dues_invoice, payment.checkout_id, payment.amount, payment.currency) == (
        member.invoice,
        "cs_test_1",
        Decimal("10.00"),
        "EUR",
    )
    assert payment.created_by == member.user


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("10.00", "EUR", 1000), ("0.05", "CHF", 5), ("1500", "JPY", 1500), ("1.25", "BHD", 1250)],
)
def test_amounts_go_in_the_currencys_minor_units(amount, currency, minor):
    assert minor_units(Decimal(amount), currency) == minor


def test_an_amount_finer_than_the_currency_is_refused():
    with pytest.raises(ValueError):
        minor_units(Decimal("10.50"), "JPY")


def test_a_provider_error_is_a_message_on_the_page_not_a_500(
    client, stripe_on, monkeypatch, member
):
    def refuse(params, *, idempotency_key=""):
        raise stripe.APIConnectionError("network down")

    monkeypatch.setattr(stripe_checkout, "checkout_session_create", refuse)
    response = pay(client, member.user, member.invoice)

    assert response.status_code == 302
    assert not response["Location"].startswith("https://checkout")
    page = client.get(response["Location"])
    assert "could not open a payment page" in page.content.decode()
    assert not OnlinePayment.objects.exists()


def test_the_pay_url_takes_only_a_post_with_a_csrf_token(stripe_on, sessions, member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    url = reverse("contributions:invoice_pay", args=[member.invoice.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not sessions


def test_another_member_cant_start_a_payment_of_someone_elses_invoice(
    client, stripe_on, sessions, member
):
    other = MemberContactFactory()
    assert pay(client, other.user, member.invoice).status_code == 404
    assert not sessions and not OnlinePayment.objects.exists()


def test_no_provider_configured_no_button_and_the_pay_url_refuses(
    client, settings, sessions, member
):
    settings.PAYMENT_PROVIDER = ""
    assert partial(invoice=member.invoice) == ""
    assert pay(client, member.user, member.invoice).status_code == 404
    assert send(client, session_event("checkout.session.completed")).status_code == 404
    assert not sessions


def test_a_steward_with_online_payments_off_shows_no_button(client, stripe_on, sessions, member):
    member.steward.online_payments = False
    member.steward.save()
    assert partial(invoice=member.invoice) == ""
    assert pay(client, member.user, member.invoice).status_code == 404
    assert not sessions


def test_the_button_is_offered_with_what_is_owed(stripe_on, member, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        html = partial(invoice=member.invoice)
    assert "Pay online</button>" in html
    assert reverse("contributions:invoice_pay", args=[member.invoice.pk]) in html
    assert "€10.00" in html


def test_an_invoice_already_paid_offers_no_payment(client, stripe_on, sessions, member):
    DuesPayment.objects.create(
        invoice=member.invoice, amount=Decimal("10.00"), currency="EUR", paid_on=TODAY
    )
    assert "</button>" not in partial(invoice=member.invoice)
    response = pay(client, member.user, member.invoice)
    assert "already paid" in client.get(response["Location"]).content.decode()
    assert not sessions


def test_opening_many_payment_pages_is_rate_limited(client, stripe_on, settings, sessions, member):
    settings.CONTRIBUTIONS_PAY_RATE = "2/h"
    for _ in range(3):
        response = pay(client, member.user, member.invoice)
    assert len(sessions) == 2
    assert "many payment pages" in client.get(response["Location"]).content.decode()


# --- the webhook ------------------------------------------------------------------------------


@pytest.fixture
def started(client, stripe_on, sessions, member):
    pay(client, member.user, member.invoice)
    client.logout()
    return member


def test_a_genuine_webhook_records_the_payment_once(client, started):
    response = send(client, session_event("checkout.session.completed"))

    assert response.status_code == 200
    payment = DuesPayment.objects.get()
    assert (payment.invoice, payment.amount, payment.currency) == (
        started.invoice,
        Decimal("10.00"),
        "EUR",
    )
    assert payment.source_key == "stripe:pi_1"
    assert payment.recorded_by is None
    event = OnlinePaymentEvent.objects.get()
    assert (event.event_id, event.outcome, event.dues_payment) == ("evt_1", "paid", payment)
    assert not unpaid(started.invoice)
    assert "was received" in partial(invoice=started.invoice)
    assert "</button>" not in partial(invoice=started.invoice)


def test_a_replayed_webhook_records_nothing_more(client, started):
    event = session_event("checkout.session.completed")
    assert send(client, event).status_code == 200
    assert send(client, event).status_code == 200  # the same event id, signed afresh
    assert DuesPayment.objects.count() == 1
    assert OnlinePaymentEvent.objects.count() == 1


def test_a_second_paid_message_about_the_same_session_records_no_second_payment(client, started):
    send(client, session_event("checkout.session.completed"))
    send(client, session_event("checkout.session.async_payment_succeeded", event_id="evt_2"))
    assert DuesPayment.objects.count() == 1
    assert OnlinePaymentEvent.objects.get(event_id="evt_2").outcome == "ignored"
    assert "was received" in partial(invoice=started.invoice)  # still paid
    send(client, refund_event())
    assert DuesRefund.objects.count() == 1


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param({"secret": "whsec_someone_else"}, id="wrong secret"),
        pytest.param({"signed": False}, id="missing header"),
        pytest.param({"timestamp": int(time.time()) - 3600}, id="old timestamp"),
        pytest.param(
            {"body": json.dumps(session_event("checkout.session.completed", amount=1))},
            id="altered payload",
        ),
    ],
)
def test_a_forged_webhook_is_refused_and_records_nothing(client, started, forge):
    response = send(client, session_event("checkout.session.completed"), **forge)
    assert response.status_code == 400
    assert not OnlinePaymentEvent.objects.exists()
    assert not DuesPayment.objects.exists()


def test_a_garbage_signature_header_is_refused(client, started):
    response = client.post(
        WEBHOOK, data="{}", content_type="application/json", HTTP_STRIPE_SIGNATURE="nonsense"
    )
    assert response.status_code == 400


def test_a_webhook_takes_only_posts(client, started):
    assert client.get(WEBHOOK).status_code == 405


@pytest.mark.parametrize(
    "kind", ["checkout.session.async_payment_failed", "checkout.session.expired"]
)
def test_a_failed_payment_is_recorded_and_shown(client, started, kind):
    response = send(client, session_event(kind, payment_status="unpaid"))

    assert response.status_code == 200
    assert OnlinePaymentEvent.objects.get().outcome == "failed"
    assert not DuesPayment.objects.exists()
    html = partial(invoice=started.invoice)
    assert "did not go through" in html
    assert "Pay online</button>" in html  # try again
    assert unpaid(started.invoice)


def test_a_completed_but_unpaid_session_waits_for_its_slow_payment(client, started):
    send(client, session_event("checkout.session.completed", payment_status="unpaid"))
    assert OnlinePaymentEvent.objects.get().outcome == "ignored"
    assert not DuesPayment.objects.exists()
    send(client, session_event("checkout.session.async_payment_succeeded", event_id="evt_2"))
    assert DuesPayment.objects.count() == 1


def test_a_refund_is_recorded_and_opens_the_invoice_again(client, started):
    send(client, session_event("checkout.session.completed"))
    assert not unpaid(started.invoice)

    response = send(client, refund_event())

    assert response.status_code == 200
    refund = DuesRefund.objects.get()
    assert (refund.payment, refund.amount, refund.currency) == (
        DuesPayment.objects.get(),
        Decimal("10.00"),
        "EUR",
    )
    assert OnlinePaymentEvent.objects.get(event_id="evt_refund").outcome == "refunded"
    assert unpaid(started.invoice)
    (row,) = selectors.invoices_with_paid(
        type(started.invoice).objects.filter(pk=started.invoice.pk), on=TODAY
    )
    assert row.paid == Decimal("0.00")
    invoices = type(started.invoice).objects.filter(pk=started.invoice.pk)
    assert selectors.dues_to_collect(invoices, on=TODAY)["open"] == 1
    html = partial(invoice=started.invoice)
    assert "was refunded" in html and "Pay online</button>" in html
    # and it can be paid again
    services.dues_payment_record(
        invoice=started.invoice,
        amount="10.00",
        currency="EUR",
        paid_on=TODAY,
        actor=None,
        source_key="camt:1:1",
    )
    assert not unpaid(started.invoice)
    # a replayed refund records nothing more
    send(client, refund_event())
    assert DuesRefund.objects.count() == 1


def test_a_partial_refund_is_kept_for_the_treasurer(client, started):
    send(client, session_event("checkout.session.completed"))
    send(client, refund_event(amount=400, refunded=False))
    assert OnlinePaymentEvent.objects.get(event_id="evt_refund").outcome == "ignored"
    assert not DuesRefund.objects.exists()
    assert not unpaid(started.invoice)


def test_a_full_refund_after_part_was_given_back_by_hand_is_kept_for_the_treasurer(client, started):
    send(client, session_event("checkout.session.completed"))
    services.dues_payment_refund(
        payment=DuesPayment.objects.get(),
        amount="4",
        currency="EUR",
        reason="A discount agreed",
        actor=UserFactory(is_superuser=True),
    )
    send(client, refund_event())
    event = OnlinePaymentEvent.objects.get(event_id="evt_refund")
    assert event.outcome == "ignored"
    assert "Only 6.00 EUR of this payment is left to refund." in event.reason
    assert DuesRefund.objects.get().amount == Decimal("4.00")


def test_an_amount_other_than_asked_is_ignored_with_its_reason(client, started, caplog):
    send(client, session_event("checkout.session.completed", amount=500))
    event = OnlinePaymentEvent.objects.get()
    assert event.outcome == "ignored"
    assert "500 EUR" in event.reason
    assert not DuesPayment.objects.exists()
    assert "ignored" in caplog.text


def test_a_session_of_another_integration_is_recorded_as_ignored(client, started):
    send(client, session_event("checkout.session.completed", session="cs_elsewhere"))
    assert OnlinePaymentEvent.objects.get().outcome == "ignored"
    assert not DuesPayment.objects.exists()


def test_a_payment_arriving_on_an_invoice_paid_meanwhile_is_ignored(client, started):
    DuesPayment.objects.create(
        invoice=started.invoice, amount=Decimal("10.00"), currency="EUR", paid_on=TODAY
    )
    assert send(client, session_event("checkout.session.completed")).status_code == 200
    event = OnlinePaymentEvent.objects.get()
    assert event.outcome == "ignored" and "already paid" in event.reason
    assert DuesPayment.objects.count() == 1


def test_a_delivery_that_committed_while_waiting_is_not_recorded_twice(
    client, started, monkeypatch
):
    """The second of two concurrent deliveries finds, once it holds the payment's lock, the
    event the first committed meanwhile."""
    from contributions.services import online_payments

    real = online_payments._payment_of

    def first_delivery_wins(event):
        result = real(event)
        OnlinePaymentEvent.objects.create(
            provider="stripe", event_id=event.event_id, type=event.type, outcome="ignored"
        )
        return result

    monkeypatch.setattr(online_payments, "_payment_of", first_delivery_wins)
    assert send(client, session_event("checkout.session.completed")).status_code == 200
    assert OnlinePaymentEvent.objects.count() == 1
    assert not DuesPayment.objects.exists()


# --- a pledge invoice -------------------------------------------------------------------------


@pytest.fixture
def pledge(db):
    PolicyFactory()
    contact = MemberContactFactory()
    CoopStewardFactory(online_payments=True)
    membership = OperationalMembershipFactory(member=contact.member)
    invoice = PledgeInvoice.objects.create(
        membership=membership, amount=Decimal("120.00"), currency="EUR", due_on=TODAY
    )
    return type("Pledge", (), {"user": contact.user, "invoice": invoice})


def test_a_pledge_paid_online_is_an_approved_money_entry_and_a_refund_reverses_it(
    client, stripe_on, sessions, pledge
):
    client.force_login(pledge.user)
    response = client.post(reverse("contributions:pledge_pay", args=[pledge.invoice.pk]))
    assert response.status_code == 302
    metadata = sessions[0]["metadata"]
    assert metadata == {"invoice_kind": "pledge", "invoice_id": str(pledge.invoice.pk)}
    assert "Pay online</button>" in partial(pledge=pledge.invoice)
    client.logout()

    send(client, session_event("checkout.session.completed", amount=12000))

    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.status, entry.pledge_invoice, entry.amount) == (
        "money",
        "approved",
        pledge.invoice,
        Decimal("120.00"),
    )
    assert entry.logged_by is None and entry.decided_by is None
    assert entry.source_key == "stripe:pi_1"
    assert invoice_outstanding(pledge.invoice) == 0
    assert "was received" in partial(pledge=pledge.invoice)

    send(client, refund_event(amount=12000))

    reversal = LedgerEntry.objects.get(reverses=entry)
    assert (reversal.status, reversal.eur_value) == ("approved", -entry.eur_value)
    assert invoice_outstanding(pledge.invoice) == Decimal("120.00")
    assert OnlinePaymentEvent.objects.get(event_id="evt_refund").ledger_entry == reversal
    send(client, refund_event(amount=12000))
    assert LedgerEntry.objects.count() == 2


def test_a_pledge_paid_on_two_payment_pages_records_the_second_for_the_treasurer(
    client, stripe_on, sessions, pledge
):
    """Two payment pages opened for one pledge (two tabs), both paid: the second payment is
    kept for a treasurer, as for dues, not recorded as a second approved money entry."""
    client.force_login(pledge.user)
    for _ in range(2):
        client.post(reverse("contributions:pledge_pay", args=[pledge.invoice.pk]))
    client.logout()

    send(client, session_event("checkout.session.completed", amount=12000))
    second = session_event(
        "checkout.session.completed",
        event_id="evt_2",
        session="cs_test_2",
        amount=12000,
        payment_intent="pi_2",
    )
    assert send(client, second).status_code == 200

    assert LedgerEntry.objects.count() == 1
    event = OnlinePaymentEvent.objects.get(event_id="evt_2")
    assert event.outcome == "ignored" and "already paid" in event.reason
    assert event.ledger_entry is None


def test_a_pledge_paid_online_beyond_what_a_treasurer_recorded_meanwhile_is_kept(
    client, stripe_on, sessions, pledge
):
    client.force_login(pledge.user)
    client.post(reverse("contributions:pledge_pay", args=[pledge.invoice.pk]))
    client.logout()
    LedgerEntry.objects.create(
        member=pledge.invoice.membership.member,
        kind="money",
        pledge_invoice=pledge.invoice,
        occurred_on=TODAY,
        description="Bank transfer",
        amount=Decimal("20.00"),
        currency="EUR",
        eur_rate=Decimal("1"),
        eur_value=Decimal("20.00"),
    )

    send(client, session_event("checkout.session.completed", amount=12000))

    assert LedgerEntry.objects.count() == 1
    event = OnlinePaymentEvent.objects.get()
    assert event.outcome == "ignored" and "Only 100.00 EUR is outstanding" in event.reason


def test_another_member_cant_pay_someone_elses_pledge(client, stripe_on, sessions, pledge):
    client.force_login(MemberContactFactory().user)
    response = client.post(reverse("contributions:pledge_pay", args=[pledge.invoice.pk]))
    assert response.status_code == 404
    assert not sessions


# --- settings and the steward's switch --------------------------------------------------------


def test_the_stewards_admin_form_has_the_switch():
    assert "online_payments" in StewardForm.Meta.fields


def test_an_unknown_provider_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from contributions.payments import provider

    settings.PAYMENT_PROVIDER = "paypal"
    with pytest.raises(ImproperlyConfigured):
        provider()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL row locks")
def test_two_deliveries_at_once_record_one_payment(stripe_on, sessions, member):
    from django.test import Client

    client = Client()
    pay(client, member.user, member.invoice)
    event = session_event("checkout.session.completed")
    codes = []

    def deliver():
        try:
            codes.append(send(Client(), event).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200, 200]
    assert DuesPayment.objects.count() == 1
    assert OnlinePaymentEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("provider", "keys", "errors"),
    [
        ("", {}, []),
        ("stripe", {"STRIPE_SECRET_KEY": "sk", "STRIPE_WEBHOOK_SECRET": "wh"}, []),
        ("stripe", {"STRIPE_SECRET_KEY": "", "STRIPE_WEBHOOK_SECRET": "wh"}, ["E002"]),
        ("paypal", {}, ["E001"]),
    ],
)
def test_the_system_check_names_a_bad_configuration(settings, provider, keys, errors):
    from contributions.payments.checks import payment_provider_configured

    settings.PAYMENT_PROVIDER = provider
    for key, value in keys.items():
        setattr(settings, key, value)
    assert [e.id.split(".")[1] for e in payment_provider_configured()] == errors


def test_the_ledger_export_lists_an_entry_the_system_recorded(client, stripe_on, sessions, pledge):
    from django.contrib.auth.models import Group

    from meetcoop.core.roles import TREASURERS

    client.force_login(pledge.user)
    client.post(reverse("contributions:pledge_pay", args=[pledge.invoice.pk]))
    send(client, session_event("checkout.session.completed", amount=12000))
    treasurer = MemberContactFactory().user
    treasurer.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    client.force_login(treasurer)
    response = client.get(reverse("contributions:export_csv"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "Stripe cs_test_1" in body.decode()


# --- a signed body that is not an event, and a webhook secret missing ---------------------------


def send_raw(client, payload: str, *, secret=SECRET):
    header = stripe.WebhookSignature.generate_signature_header(payload, secret)
    return client.post(
        WEBHOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("[1, 2]", id="a list"),
        pytest.param('"event"', id="a string"),
        pytest.param("{not json", id="bad JSON"),
        pytest.param(json.dumps({"id": 1, "type": "charge.refunded"}), id="an id not a string"),
        pytest.param(json.dumps({"object": "event", "type": "x"}), id="no id"),
    ],
)
def test_a_signed_body_that_is_not_an_event_is_refused_not_a_500(client, started, payload):
    response = send_raw(client, payload)
    assert response.status_code == 400
    assert not OnlinePaymentEvent.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("not an object", id="data a string"),
        pytest.param({"object": ["cs_test_1"]}, id="object a list"),
        pytest.param({"object": None}, id="object null"),
    ],
)
def test_a_signed_event_with_a_strange_data_is_ignored_not_a_500(client, started, data):
    event = {"id": "evt_odd", "object": "event", "type": "checkout.session.completed"}
    response = send_raw(client, json.dumps({**event, "data": data}))
    assert response.status_code == 200
    assert OnlinePaymentEvent.objects.get().outcome == "ignored"
    assert not DuesPayment.objects.exists()


def test_an_amount_that_is_not_a_whole_number_of_minor_units_records_no_payment(client, started):
    send(client, session_event("checkout.session.completed", amount="1000"))
    assert OnlinePaymentEvent.objects.get().outcome == "ignored"
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize("secret", ["", "   "])
def test_without_a_webhook_secret_every_webhook_is_refused(client, started, settings, secret):
    """An empty secret must not become a key anyone can sign with."""
    settings.STRIPE_WEBHOOK_SECRET = secret
    response = send(client, session_event("checkout.session.completed"), secret=secret or " ")
    assert response.status_code == 400
    payload = json.dumps(session_event("checkout.session.completed"))
    header = "t={},v1={}".format(
        int(time.time()),
        stripe.WebhookSignature._compute_signature(f"{int(time.time())}.{payload}", secret),
    )
    response = client.post(
        WEBHOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    assert not OnlinePaymentEvent.objects.exists() and not DuesPayment.objects.exists()


def test_a_body_that_is_not_utf8_is_refused(client, started):
    response = client.post(
        WEBHOOK,
        data=b"\xff\xfe{}",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=00",
    )
    assert response.status_code == 400


def test_a_treasurer_who_may_see_the_invoice_still_cant_pay_it_and_a_guessed_id_is_404(
    client, stripe_on, sessions, member
):
    from django.contrib.auth.models import Group

    from meetcoop.core.roles import TREASURERS

    treasurer = MemberContactFactory().user
    treasurer.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    client.force_login(treasurer)
    page = reverse("contributions:invoice_detail", args=[member.invoice.pk])
    assert client.get(page).status_code == 200  # the treasurer sees it
    assert pay(client, treasurer, member.invoice).status_code == 404  # but it is not theirs
    client.force_login(member.user)
    missing = reverse("contributions:invoice_pay", args=[member.invoice.pk + 1000])
    assert client.post(missing).status_code == 404
    assert (
        client.post(reverse("contributions:pledge_pay", args=[member.invoice.pk])).status_code
        == 404
    )
    assert not sessions and not OnlinePayment.objects.exists()
