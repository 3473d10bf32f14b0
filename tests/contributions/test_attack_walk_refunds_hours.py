"""An attack walk on refunds and moves by hand, coordinators' hours and reminder emails:
forged and clumsy posts, another steward's or circle's ids, and two at once. A refusal is a
form message, a 404 or a 403, never a 500; nothing is saved when refused, nothing lost when
accepted."""

import datetime
import smtplib
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends import locmem
from django.db import connection
from django.urls import reverse
from freezegun import freeze_time

from contributions import selectors, services
from contributions.models import DuesInvoice, DuesPayment, DuesRefund, LedgerEntry
from meetcoop.core.roles import TREASURERS, ensure_role_groups
from tests.factories import (
    CircleRoleFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    PolicyFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

from .conftest import TODAY, person
from .races import race

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 1, 1)
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need PostgreSQL row locks"
)


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-06-15 12:00:00"):
        yield


# --- refunds and moves by hand ----------------------------------------------------------------


@pytest.fixture
def world(db):
    ensure_role_groups()
    PolicyFactory()
    mine, theirs = StewardFactory(name="Mine"), StewardFactory(name="Theirs")
    treasurer = UserFactory(is_staff=True)
    treasurer.groups.add(Group.objects.get(name=TREASURERS))
    invoice = DuesInvoiceFactory(
        membership__steward=mine, due_on=DUE, period_start=DUE, amount=Decimal("10.00")
    )
    other = DuesInvoiceFactory(
        membership__steward=mine, due_on=DUE, period_start=DUE, amount=Decimal("10.00")
    )
    return {
        "mine": mine,
        "theirs": theirs,
        "treasurer": treasurer,
        "admin": StewardAdminFactory(stewards=[mine]),
        "invoice": invoice,
        "other": other,
        "payment": DuesPaymentFactory(invoice=invoice, paid_on=DUE, amount=Decimal("10.00")),
        "their_payment": DuesPaymentFactory(invoice__membership__steward=theirs, paid_on=DUE),
        "their_invoice": DuesInvoiceFactory(
            membership__steward=theirs, due_on=DUE, amount=Decimal("10.00")
        ),
    }


def url(payment, what):
    return f"/admin/contributions/duespayment/{payment.pk}/{what}/"


def paid(invoice) -> Decimal:
    return selectors.invoices_with_paid(DuesInvoice.objects.filter(pk=invoice.pk), on=TODAY)[0].paid


REFUND = {"amount": "5", "currency": "EUR", "refunded_on": "2026-02-01", "reason": "Discount"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "1e9"}, "Only 10.00 EUR of this payment is left to refund."),
        ({"amount": "1e20"}, "Ensure that there are no more than 12 digits in total."),
        ({"amount": "NaN"}, "Enter a number."),
        ({"amount": "Infinity"}, "Enter a number."),
        ({"amount": "-0"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "0"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "-5"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "0.001"}, "Ensure that there are no more than 2 decimal places."),
        ({"amount": ["1", "20"]}, "Only 10.00 EUR of this payment is left to refund."),
        ({"currency": "XYZ"}, "Select a valid choice."),
        ({"currency": ["EUR", "XYZ"]}, "Select a valid choice."),
        ({"currency": "CAD"}, "Refund the payment in its own currency (EUR)."),
        ({"reason": "x" * 10_000}, "Ensure this value has at most 300 characters"),
        ({"reason": "   "}, "This field is required."),
        ({"refunded_on": "2026-06-16"}, "The date can’t be in the future."),
        ({"refunded_on": "2025-12-31"}, "A payment can’t be refunded before the day it was paid."),
        ({"refunded_on": "0001-01-01"}, "Give a date between"),
        ({"refunded_on": "2026-02-30"}, "Enter a valid date."),
    ],
)
def test_a_forged_refund_is_a_form_message_and_nothing_is_saved(client, world, data, message):
    client.force_login(world["treasurer"])
    response = client.post(url(world["payment"], "refund"), {**REFUND, **data})
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert not DuesRefund.objects.exists()
    assert paid(world["invoice"]) == Decimal("10.00")


def test_an_empty_post_records_nothing_and_shows_the_form_again(client, world):
    client.force_login(world["treasurer"])
    for what in ("refund", "move"):
        response = client.post(url(world["payment"], what), {})
        assert response.status_code == 200
        assert response.context["form"] is not None
        # Bound, so the person is told what is missing instead of seeing the blank form again.
        assert "reason" in response.context["form"].errors
    assert not DuesRefund.objects.exists()
    assert not DuesPayment.objects.filter(moved_from__isnull=False).exists()


@pytest.mark.parametrize(
    ("what", "data"),
    [
        ("refund", {**REFUND, "amount": "5\x00"}),
        ("refund", {**REFUND, "reason": "Paid\x00twice"}),
        ("refund", {**REFUND, "refunded_on": "2026-02-01\x00"}),
        ("move", {"invoice": "1\x00", "reason": "Wrong member"}),
        ("move", {"invoice": "", "reason": "Wrong\x00member"}),
    ],
)
def test_a_nul_character_is_a_bad_request_and_nothing_is_saved(client, world, what, data):
    client.force_login(world["treasurer"])
    data = {k: world["other"].pk if v == "" else v for k, v in data.items()}
    assert client.post(url(world["payment"], what), data).status_code == 400
    assert client.post(f"/admin/contributions/duespayment/1%00/{what}/", data).status_code in (
        400,
        404,
    )
    assert not DuesRefund.objects.exists()
    assert not DuesPayment.objects.filter(moved_from__isnull=False).exists()


def test_arabic_digits_are_read_as_the_number_they_write(client, world):
    client.force_login(world["treasurer"])
    response = client.post(url(world["payment"], "refund"), {**REFUND, "amount": "٢"})
    assert response.status_code == 302
    assert DuesRefund.objects.get().amount == Decimal("2.00")


@pytest.mark.parametrize("what", ["refund", "move"])
@pytest.mark.parametrize("object_id", ["abc", "-1", "99999999999999999999"])
def test_a_payment_id_that_is_no_payment_is_not_found(client, world, what, object_id):
    client.force_login(world["treasurer"])
    assert client.get(f"/admin/contributions/duespayment/{object_id}/{what}/").status_code == 404
    assert (
        client.post(f"/admin/contributions/duespayment/{object_id}/{what}/", REFUND).status_code
        == 404
    )


@pytest.mark.parametrize("what", ["refund", "move"])
def test_a_steward_admin_acting_on_another_stewards_payment_is_not_found(client, world, what):
    client.force_login(world["admin"])
    data = {**REFUND, "invoice": world["their_invoice"].pk}
    assert client.post(url(world["their_payment"], what), data).status_code == 404
    assert not DuesRefund.objects.exists()
    assert not DuesPayment.objects.filter(moved_from__isnull=False).exists()


def test_staff_without_dues_rights_may_not_move(client, world):
    client.force_login(UserFactory(is_staff=True))
    data = {"invoice": world["other"].pk, "reason": "Wrong member"}
    assert client.post(url(world["payment"], "move"), data).status_code == 403
    assert not DuesRefund.objects.exists()


def move_target(world, name):
    if name == "theirs":
        return world["their_invoice"].pk
    if name == "own":
        return world["invoice"].pk
    if name == "cad":
        return DuesInvoiceFactory(
            membership__steward=world["mine"], currency="CAD", amount=Decimal("10.00")
        ).pk
    return name


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("theirs", "Select a valid choice."),
        ("own", "Select a valid choice."),
        ("cad", "Select a valid choice."),
        ("abc", "Select a valid choice."),
        ("99999999999999999999", "Select a valid choice."),
        ("", "This field is required."),
    ],
)
def test_a_move_to_an_invoice_not_offered_is_a_form_message(client, world, target, message):
    client.force_login(world["admin"])
    data = {"invoice": move_target(world, target), "reason": "Wrong member"}
    response = client.post(url(world["payment"], "move"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DuesRefund.objects.exists()
    assert not DuesPayment.objects.filter(moved_from__isnull=False).exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("x" * 10_000, "Ensure this value has at most 200 characters"),
        ("  ", "This field is required."),
    ],
)
def test_a_move_with_a_bad_reason_is_a_form_message(client, world, reason, message):
    client.force_login(world["admin"])
    data = {"invoice": world["other"].pk, "reason": reason}
    response = client.post(url(world["payment"], "move"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DuesRefund.objects.exists()


def test_a_move_to_a_paid_invoice_is_a_form_message(client, world):
    DuesPaymentFactory(invoice=world["other"], amount=Decimal("10.00"), paid_on=DUE)
    client.force_login(world["admin"])
    data = {"invoice": world["other"].pk, "reason": "Wrong member"}
    response = client.post(url(world["payment"], "move"), data)
    assert response.status_code == 200
    assert "This invoice is already paid." in response.content.decode()
    assert not DuesRefund.objects.exists()
    assert paid(world["invoice"]) == Decimal("10.00")


def test_a_payment_moved_away_is_neither_refunded_nor_moved_again(client, world):
    client.force_login(world["treasurer"])
    data = {"invoice": world["other"].pk, "reason": "Wrong member"}
    assert client.post(url(world["payment"], "move"), data).status_code == 302
    moved = DuesPayment.objects.get(moved_from=world["payment"])

    again = client.post(url(world["payment"], "refund"), {**REFUND, "amount": "1"})
    assert again.status_code == 200
    assert "This payment has already been refunded in full." in again.content.decode()
    third = DuesInvoiceFactory(membership__steward=world["mine"], amount=Decimal("10.00"))
    moved_twice = client.post(
        url(world["payment"], "move"), {"invoice": third.pk, "reason": "Again"}
    )
    assert moved_twice.status_code == 200
    assert "already been refunded in full" in moved_twice.content.decode()
    assert DuesRefund.objects.count() == 1

    # The payment where the money now is is refunded as any other, up to its amount.
    too_much = client.post(url(moved, "refund"), {**REFUND, "amount": "10.01"})
    assert "Only 10.00 EUR of this payment is left to refund." in too_much.content.decode()
    assert client.post(url(moved, "refund"), {**REFUND, "amount": "10"}).status_code == 302
    assert paid(world["invoice"]) == Decimal("0.00")
    assert paid(world["other"]) == Decimal("0.00")
    assert sum(r.amount for r in DuesRefund.objects.all()) == Decimal("20.00")


# --- a refund and a move at once (PostgreSQL) ---------------------------------------------------


def refund_six(world):
    return services.dues_payment_refund(
        payment=world["payment"],
        amount="6",
        currency="EUR",
        reason="Discount",
        actor=world["treasurer"],
        on=TODAY,
    )


def move_to(world, invoice, *, payment=None):
    return services.dues_payment_move(
        payment=payment or world["payment"],
        invoice=invoice,
        reason="Wrong member",
        actor=world["admin"],
        on=TODAY,
    )


def refunded(payment) -> Decimal:
    return sum((r.amount for r in DuesRefund.objects.filter(payment=payment)), Decimal("0"))


@pytest.mark.django_db(transaction=True)
@ON_POSTGRESQL
def test_a_refund_and_a_move_at_once_never_give_back_more_than_was_paid(world):
    results = race(lambda: refund_six(world), lambda: move_to(world, world["other"]))
    assert not [r for r in results if isinstance(r, Exception) and r.code != "refunded"]
    moved = DuesPayment.objects.filter(moved_from=world["payment"])
    assert moved.count() == 1
    assert refunded(world["payment"]) == Decimal("10.00")
    # Whatever came first, the money is somewhere: refunded to the member or on the other.
    by_hand = DuesRefund.objects.filter(reason="Discount").count()
    assert moved.get().amount == Decimal("10.00") - 6 * by_hand
    assert paid(world["other"]) == moved.get().amount


@pytest.mark.django_db(transaction=True)
@ON_POSTGRESQL
def test_two_moves_of_one_payment_at_once_make_one_moved_payment(world):
    third = DuesInvoiceFactory(membership__steward=world["mine"], amount=Decimal("10.00"))
    results = race(lambda: move_to(world, world["other"]), lambda: move_to(world, third))
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(errors) == 1 and errors[0].code == "refunded"
    assert DuesPayment.objects.filter(moved_from=world["payment"]).count() == 1
    assert refunded(world["payment"]) == Decimal("10.00")
    assert paid(world["other"]) + paid(third) == Decimal("10.00")


@pytest.mark.django_db(transaction=True)
@ON_POSTGRESQL
def test_two_payments_moved_to_one_invoice_at_once_never_overpay_it(world):
    second = DuesPaymentFactory(
        invoice=DuesInvoiceFactory(membership__steward=world["mine"], amount=Decimal("10.00")),
        paid_on=DUE,
        amount=Decimal("10.00"),
    )
    results = race(
        lambda: move_to(world, world["other"]),
        lambda: move_to(world, world["other"], payment=second),
    )
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(errors) == 1 and errors[0].code == "paid"
    assert paid(world["other"]) == Decimal("10.00")
    assert DuesRefund.objects.count() == 1


# --- a coordinator's hours ----------------------------------------------------------------------


def coordinate(circle=None):
    base = reverse("contributions:coordinate")
    return f"{base}?circle={circle}" if circle is not None else base


def batch(circle, member, **data):
    return {
        "circle": circle.pk,
        "worked_on": TODAY.isoformat(),
        "description": "Moved the servers",
        f"hours_{member.pk}": "5",
        **data,
    }


def hours_form_message(response) -> str:
    form = response.context["form"]
    return " ".join([*form.non_field_errors(), *(e for f in form for e in f.errors)])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"worked_on": "2026-06-16"}, "The date can’t be in the future."),
        ({"worked_on": "0001-01-01"}, "Give a date between"),
        ({"worked_on": ""}, "This field is required."),
        ({"description": "x" * 10_000}, "Ensure this value has at most 2000 characters"),
        ({"description": "   "}, "This field is required."),
        ({"hours": "NaN"}, "Enter a number."),
        ({"hours": "1e9"}, "Ensure this value is less than or equal to 24"),
        ({"hours": "-0"}, "Ensure this value is greater than or equal to 0.25"),
        ({"hours": "0.001"}, "decimal places"),
        ({"hours": "25"}, "Ensure this value is less than or equal to 24"),
        ({"hours": ""}, "Give hours for at least one member."),
    ],
)
def test_forged_hours_are_a_form_message_and_nothing_is_saved(client, coop, change, message):
    client.force_login(coop.coord_a.user)
    data = batch(coop.tech, coop.member.member)
    if "hours" in change:
        data[f"hours_{coop.member.member.pk}"] = change.pop("hours")
    response = client.post(coordinate(), {**data, **change})
    assert response.status_code == 200
    assert message in hours_form_message(response).replace("'", "’")
    assert hours_form_message(response)
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"worked_on": "2026-06-15\x00"},
        {"description": "Moved\x00servers"},
        {"circle": "1\x00"},
        {"hours_1\x00": "5"},
    ],
)
def test_a_nul_character_in_hours_is_a_bad_request_and_nothing_is_saved(client, coop, change):
    client.force_login(coop.coord_a.user)
    data = {**batch(coop.tech, coop.member.member), **change}
    assert client.post(coordinate(), data).status_code == 400
    data = {**batch(coop.tech, coop.member.member), f"hours_{coop.member.member.pk}": "5\x00"}
    assert client.post(coordinate(), data).status_code == 400
    assert not LedgerEntry.objects.exists()


def test_hours_in_arabic_digits_are_read_as_the_number_they_write(client, coop):
    client.force_login(coop.coord_a.user)
    data = {**batch(coop.tech, coop.member.member), f"hours_{coop.member.member.pk}": "٣"}
    assert client.post(coordinate(), data).status_code == 302
    assert LedgerEntry.objects.get().hours == Decimal("3")


def test_hours_for_a_member_of_another_circle_are_refused(client, coop):
    outsider = person(coop.outreach)
    client.force_login(coop.coord_a.user)
    response = client.post(coordinate(), batch(coop.tech, outsider.member))
    assert response.status_code == 200
    assert "only for the members listed" in hours_form_message(response)
    # Nor with a member listed beside it: all or nothing.
    data = {**batch(coop.tech, outsider.member), f"hours_{coop.member.member.pk}": "2"}
    assert client.post(coordinate(), data).status_code == 200
    assert not LedgerEntry.objects.exists()


def test_hours_for_a_day_before_the_members_seat_are_refused(client, coop):
    newcomer = person()
    CircleRoleFactory(
        circle=coop.tech, member=newcomer.member, started_on=TODAY - datetime.timedelta(days=3)
    )
    client.force_login(coop.coord_a.user)
    before = (TODAY - datetime.timedelta(days=4)).isoformat()
    response = client.post(coordinate(), batch(coop.tech, newcomer.member, worked_on=before))
    assert response.status_code == 200
    assert "did not sit in Tech" in hours_form_message(response)
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("where", ["post", "query", "both"])
def test_a_coordinator_posting_for_a_circle_it_does_not_coordinate_is_not_found(
    client, coop, where
):
    client.force_login(coop.coord_out.user)
    data = batch(coop.tech, coop.member.member)
    if where == "post":
        response = client.post(coordinate(), data)
    elif where == "query":
        response = client.post(coordinate(coop.tech.pk), {**data, "circle": coop.outreach.pk})
    else:
        response = client.post(coordinate(coop.tech.pk), data)
    assert response.status_code == 404
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("circle", ["abc", "99999999999999999999", "-1", "1.0", "lists"])
def test_a_circle_that_is_no_circle_is_not_found(client, coop, circle):
    if circle == "lists":  # the last one posted counts: Outreach, not coordinated
        circle = [str(coop.tech.pk), str(coop.outreach.pk)]
    client.force_login(coop.coord_a.user)
    data = {**batch(coop.tech, coop.member.member), "circle": circle}
    response = client.post(coordinate(), data)
    assert response.status_code == 404
    assert not LedgerEntry.objects.exists()


def test_a_member_coordinating_no_circle_may_not_log(client, coop):
    client.force_login(coop.member.user)
    assert client.post(coordinate(), batch(coop.tech, coop.member.member)).status_code == 403
    assert not LedgerEntry.objects.exists()


# --- a reminder run twice at once, one address refused (PostgreSQL) -----------------------------


REFUSED: set[str] = set()


class RefusingBackend(locmem.EmailBackend):
    """The test outbox behind a mail server refusing the addresses of ``REFUSED``."""

    def send_messages(self, messages):
        for message in messages:
            refused = [to for to in message.to if to in REFUSED]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"5.1.1 Mailbox unavailable"))
                )
        return super().send_messages(messages)


@pytest.fixture
def refusing_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    REFUSED.clear()
    yield REFUSED
    REFUSED.clear()


@pytest.mark.django_db(transaction=True)
@ON_POSTGRESQL
def test_two_reminder_runs_at_once_write_to_nobody_twice(refusing_server):
    PolicyFactory()
    contact = MemberContactFactory(member=MemberFactory(language="en"))
    MemberContactFactory(
        member=contact.member,
        user=UserFactory(email="treasurer@org.example"),
        is_primary=False,
    )
    membership = MembershipFactory(member=contact.member, steward=StewardFactory())
    due = TODAY + datetime.timedelta(days=3)
    invoice = DuesInvoiceFactory(
        membership=membership, period_start=due, due_on=due, amount=Decimal("12.50")
    )
    refusing_server.add("treasurer@org.example")

    race(
        lambda: services.dues_reminders_send(on=TODAY),
        lambda: services.dues_reminders_send(on=TODAY),
    )
    assert [m.to for m in mail.outbox] == [[contact.member.email]]
    invoice.refresh_from_db()
    assert invoice.emailed_before_due_at is None
    assert invoice.reminder_emails.count() == 1

    refusing_server.clear()
    race(
        lambda: services.dues_reminders_send(on=TODAY),
        lambda: services.dues_reminders_send(on=TODAY),
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contact.member.email, "treasurer@org.example"]
    )
    invoice.refresh_from_db()
    assert invoice.emailed_before_due_at is not None
    assert invoice.reminder_emails.count() == 2


# --- faults found ---------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0.004", "0.0049", Decimal("0.001")])
def test_a_refund_rounding_to_nothing_is_refused_and_nothing_is_saved(world, amount):
    with pytest.raises(ValidationError, match="The amount must be more than zero."):
        services.dues_payment_refund(
            payment=world["payment"],
            amount=amount,
            currency="EUR",
            reason="Discount",
            actor=world["treasurer"],
            on=TODAY,
        )
    assert not DuesRefund.objects.exists()


def test_a_payment_in_a_currency_the_coop_no_longer_takes_is_refunded_in_it(
    client, world, settings
):
    """The co-op stopped taking Canadian dollars; a payment made in them is still given back
    in them, the currency it was paid in."""
    cad = DuesPaymentFactory(
        invoice=DuesInvoiceFactory(
            membership__steward=world["mine"], currency="CAD", amount=Decimal("10.00")
        ),
        currency="CAD",
        amount=Decimal("10.00"),
        paid_on=DUE,
    )
    settings.ALLOWED_CURRENCIES = ["EUR"]
    client.force_login(world["treasurer"])
    assert 'value="CAD" selected' in client.get(url(cad, "refund")).content.decode()
    response = client.post(url(cad, "refund"), {**REFUND, "currency": "CAD"})
    assert response.status_code == 302
    assert (DuesRefund.objects.get().amount, DuesRefund.objects.get().currency) == (
        Decimal("5.00"),
        "CAD",
    )
    usd = client.post(url(cad, "refund"), {**REFUND, "currency": "USD"})
    assert "Select a valid choice." in usd.content.decode()


def test_a_reason_too_long_to_keep_whole_is_refused_not_cut(world):
    """The member reads the reason: one longer than its record holds is refused, never kept
    cut short mid-sentence."""
    with pytest.raises(ValidationError, match="at most 300 characters") as refused:
        services.dues_payment_refund(
            payment=world["payment"],
            amount="1",
            currency="EUR",
            reason="Paid twice. " * 30,
            actor=world["treasurer"],
            on=TODAY,
        )
    assert refused.value.code == "reason"
    with pytest.raises(ValidationError, match="at most 200 characters"):
        services.dues_payment_move(
            payment=world["payment"],
            invoice=world["other"],
            reason="Wrong member. " * 20,
            actor=world["treasurer"],
            on=TODAY,
        )
    assert not DuesRefund.objects.exists()
    assert not DuesPayment.objects.filter(moved_from__isnull=False).exists()
    whole = "x" * 300
    services.dues_payment_refund(
        payment=world["payment"],
        amount="1",
        currency="EUR",
        reason=whole,
        actor=world["treasurer"],
        on=TODAY,
    )
    assert DuesRefund.objects.get().reason == whole


@pytest.mark.parametrize("amount", ["0.004", Decimal("0.0049")])
def test_every_amount_of_money_rounding_to_nothing_is_refused_and_nothing_is_saved(world, amount):
    """The same order everywhere money is recorded: rounded to cents, then checked. A dues
    payment, a revenue-share payment or a compensation settlement of 0.004 is none at all, not
    a row of 0.00."""
    from contributions.models import CompensationSettlement, RevenueSharePayment
    from tests.factories import RevenueReportFactory

    zero = "The amount must be more than zero."
    with pytest.raises(ValidationError, match=zero):
        services.dues_payment_record(
            invoice=world["other"],
            amount=amount,
            currency="EUR",
            paid_on=DUE,
            actor=world["treasurer"],
            on=TODAY,
        )
    with pytest.raises(ValidationError, match=zero):
        services.revenue_share_payment_record(
            report=RevenueReportFactory(steward=world["mine"]),
            amount_eur=amount,
            paid_on=DUE,
            actor=world["treasurer"],
            on=TODAY,
        )
    with pytest.raises(ValidationError, match=zero):
        services.compensation_settle(
            member=world["invoice"].membership.member,
            amount=amount,
            currency="EUR",
            kind=CompensationSettlement.Kind.PAID,
            settled_on=DUE,
            actor=world["treasurer"],
            on=TODAY,
        )
    assert world["other"].payments.count() == 0
    assert not RevenueSharePayment.objects.exists()
    assert not CompensationSettlement.objects.exists()


def test_an_empty_post_to_the_coordinate_page_says_what_is_missing(client, db):
    """An empty POST (a form sent with every field removed) is answered with the fields it
    lacks, not with the blank form as if nothing had been sent."""
    coordinator = CircleRoleFactory(role="coordinator", started_on=TODAY)
    user = UserFactory()
    MemberContactFactory(member=coordinator.member, user=user)
    client.force_login(user)
    response = client.post(reverse("contributions:coordinate"), {})
    assert response.status_code == 200
    assert "worked_on" in response.context["form"].errors
    assert not LedgerEntry.objects.exists()
