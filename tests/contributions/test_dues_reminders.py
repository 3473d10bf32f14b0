"""Reminders of unpaid dues: before the due date and before the grace period ends, each once,
to the member and its contacts, each in their language, with the numbers of the policy in
force."""

import datetime
import smtplib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends import locmem

from contributions.models import DuesInvoice, PledgeInvoice
from contributions.services import dues_reminders_send
from contributions.tasks import send_dues_reminders
from meetcoop.core.models import AuditEntry
from tests.factories import (
    DuesInvoiceFactory,
    DuesPaymentFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    MoneyEntryFactory,
    OperationalMembershipFactory,
    PolicyFactory,
    StewardFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def policy(db):
    # The defaults: 7 days before the due date, 7 before the grace period (30 days) ends.
    return PolicyFactory()


def invoice_due(due_on, *, member=None, amount=Decimal("12.50"), **membership):
    membership = MembershipFactory(
        member=member or MemberFactory(), steward=StewardFactory(name="Comuns"), **membership
    )
    start = due_on
    return DuesInvoiceFactory(
        membership=membership,
        period_start=start,
        period_end=start + datetime.timedelta(days=29),
        due_on=due_on,
        amount=amount,
    )


def run(on, capture):
    with capture(execute=True):
        return dues_reminders_send(on=on)


def test_sent_seven_days_before_the_due_date_not_eight(policy, django_capture_on_commit_callbacks):
    invoice = invoice_due(TODAY + 7 * DAY)
    assert run(TODAY - DAY, django_capture_on_commit_callbacks)["before_due"] == 0
    assert mail.outbox == []
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [invoice.membership.member.email]
    assert "due on" in message.subject
    assert "€12.50" in message.body
    assert "/me/" in message.body and "://" in message.body
    # The reference as a member types it, in groups of four.
    assert invoice.reference[:4] + " " in message.body
    invoice.refresh_from_db()
    assert invoice.reminded_before_due_at is not None
    assert invoice.reminded_before_grace_end_at is None


def test_sent_on_the_due_date_itself_but_not_after(policy, django_capture_on_commit_callbacks):
    due_today = invoice_due(TODAY)
    invoice_due(TODAY - DAY)  # already past: that one waits for the grace reminder
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 1
    assert mail.outbox[0].to == [due_today.membership.member.email]


def test_each_reminder_is_sent_once_however_often_it_runs(
    policy, django_capture_on_commit_callbacks
):
    invoice_due(TODAY + 3 * DAY)
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 1
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 0
    assert run(TODAY + DAY, django_capture_on_commit_callbacks)["before_due"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_dues_reminders(on=TODAY.isoformat())["before_due"] == 0
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="contributions.dues.reminders").count() == 1


def test_each_contact_is_written_to_once_the_invoice_counted_once(
    policy, django_capture_on_commit_callbacks
):
    contact = MemberContactFactory(member=MemberFactory(language="en"))
    MemberContactFactory(
        member=contact.member,
        user=UserFactory(email="treasurer@org.example", language="es"),
        is_primary=False,
    )
    invoice_due(TODAY + 2 * DAY, member=contact.member)
    counts = run(TODAY, django_capture_on_commit_callbacks)
    assert counts["before_due"] == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contact.member.email, "treasurer@org.example"]
    )
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 0
    assert len(mail.outbox) == 2


def test_sent_before_the_grace_period_ends(policy, django_capture_on_commit_callbacks):
    # Due 30 days before the last day of grace; the last day of grace 7 days from the run.
    last_day = TODAY + 7 * DAY
    invoice = invoice_due(last_day - 30 * DAY)
    invoice_due(last_day + DAY - 30 * DAY)  # its last day of grace is 8 days away: not yet
    invoice_due(TODAY - DAY - 30 * DAY)  # its grace ended yesterday: too late to remind
    counts = run(TODAY, django_capture_on_commit_callbacks)
    assert counts == {"before_due": 0, "before_grace_end": 1, "pledge_before_due": 0}
    assert mail.outbox[0].to == [invoice.membership.member.email]
    assert "Jun 22, 2026" in mail.outbox[0].subject
    assert "lapses" in mail.outbox[0].body
    assert run(TODAY, django_capture_on_commit_callbacks)["before_grace_end"] == 0
    invoice.refresh_from_db()
    assert invoice.reminded_before_grace_end_at is not None


def test_the_last_day_of_grace_itself_is_still_reminded(policy, django_capture_on_commit_callbacks):
    invoice_due(TODAY - 30 * DAY)
    assert run(TODAY, django_capture_on_commit_callbacks)["before_grace_end"] == 1


def test_paid_invoices_and_unbilled_memberships_are_not_reminded(
    policy, django_capture_on_commit_callbacks
):
    paid = invoice_due(TODAY + 2 * DAY)
    DuesPaymentFactory(invoice=paid, paid_on=TODAY - DAY)
    invoice_due(TODAY + 2 * DAY, status="suspended")
    partly = invoice_due(TODAY + 2 * DAY, amount=Decimal("30.00"))
    DuesPaymentFactory(invoice=partly, amount=Decimal("10.00"), paid_on=TODAY - DAY)
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 1
    assert mail.outbox[0].to == [partly.membership.member.email]
    assert "€20.00" in mail.outbox[0].body  # what is still to pay
    assert not DuesInvoice.objects.get(pk=paid.pk).reminded_before_due_at


def test_written_in_the_members_language(policy, django_capture_on_commit_callbacks):
    member = MemberFactory(language="ca", name="Jordi")
    invoice_due(TODAY + 7 * DAY, member=member, amount=Decimal("1234.50"))
    run(TODAY, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert "1.234,50\xa0€" in message.body
    assert "22 de juny" in message.subject  # the date as Catalan writes it
    assert "Hola, Jordi:" in message.body
    assert "quotes de membre" in message.body
    assert "Hello" not in message.body


def test_the_numbers_are_those_of_the_policy_in_force(db, django_capture_on_commit_callbacks):
    PolicyFactory(effective_from=datetime.date(2020, 1, 1))
    PolicyFactory(
        effective_from=TODAY - 10 * DAY,
        dues_reminder_days_before_due=3,
        dues_reminder_days_before_grace_end=1,
        dues_grace_days=10,
    )
    invoice_due(TODAY + 4 * DAY)  # 4 days: the older policy's 7 would remind, 3 does not
    in_three = invoice_due(TODAY + 3 * DAY)
    grace_tomorrow = invoice_due(TODAY + DAY - 10 * DAY)
    invoice_due(TODAY + 2 * DAY - 10 * DAY)  # its grace ends in 2 days: not yet
    counts = run(TODAY, django_capture_on_commit_callbacks)
    assert counts["before_due"] == 1
    assert counts["before_grace_end"] == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [in_three.membership.member.email, grace_tomorrow.membership.member.email]
    )


def test_the_pledge_is_reminded_before_it_is_due_until_it_is_paid(
    policy, django_capture_on_commit_callbacks
):
    op = OperationalMembershipFactory()
    pledge = PledgeInvoice.objects.create(
        membership=op, amount=Decimal("500.00"), currency="EUR", due_on=TODAY + 5 * DAY
    )
    other = OperationalMembershipFactory()
    paid = PledgeInvoice.objects.create(
        membership=other, amount=Decimal("100.00"), currency="EUR", due_on=TODAY + 5 * DAY
    )
    MoneyEntryFactory(
        member=other.member, amount=Decimal("100.00"), status="approved", pledge_invoice=paid
    )
    counts = run(TODAY, django_capture_on_commit_callbacks)
    assert counts["pledge_before_due"] == 1
    assert mail.outbox[0].to == [op.member.email]
    assert "€500.00" in mail.outbox[0].body
    pledge.refresh_from_db()
    assert pledge.reminded_before_due_at is not None
    assert run(TODAY, django_capture_on_commit_callbacks)["pledge_before_due"] == 0


def test_the_email_task_run_again_writes_to_nobody_twice(
    policy, django_capture_on_commit_callbacks
):
    """The task that writes the claimed reminders, delivered again (a worker restarted
    mid-way) or run twice, writes each reminder once. An address the mail server refused is
    logged, the invoice's other addresses are written to, and the refused one is written to
    when the task runs again."""
    from contributions import tasks
    from contributions.services import reminders

    first = invoice_due(TODAY + 2 * DAY)
    second = invoice_due(TODAY + 3 * DAY)
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        assert dues_reminders_send(on=TODAY)["before_due"] == 2
    assert len(enqueued) == 1 and mail.outbox == []  # claimed, not written yet
    refused = second.membership.member.email
    send = reminders.send_templated_email

    def mail_server(**kwargs):
        if kwargs["to"] == refused:
            raise ConnectionRefusedError("550 mailbox unavailable")
        return send(**kwargs)

    ids, on = [first.pk, second.pk], TODAY.isoformat()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reminders, "send_templated_email", mail_server)
        assert tasks.send_dues_reminder_emails("before_due", ids, on) == 1
    assert [m.to for m in mail.outbox] == [[first.membership.member.email]]
    second.refresh_from_db()
    assert second.emailed_before_due_at is None  # not written to: tried again
    assert tasks.send_dues_reminder_emails("before_due", ids, on) == 1
    assert tasks.send_dues_reminder_emails("before_due", ids, on) == 0
    assert [m.to for m in mail.outbox] == [[first.membership.member.email], [refused]]
    assert not DuesInvoice.objects.filter(emailed_before_due_at__isnull=True).exists()
    # Those claimed are the task's to write: an invoice not claimed is not written to.
    third = invoice_due(TODAY + 20 * DAY)
    assert tasks.send_dues_reminder_emails("before_due", [third.pk], on) == 0


class RefusingBackend(locmem.EmailBackend):
    """The test outbox, behind a mail server that refuses the addresses of ``REFUSED``, as
    an SMTP server does (``SMTPRecipientsRefused``)."""

    def send_messages(self, messages):
        for message in messages:
            refused = [to for to in message.to if to in REFUSED]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"5.1.1 Mailbox unavailable"))
                )
        return super().send_messages(messages)


REFUSED: set[str] = set()


@pytest.fixture
def refusing_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    REFUSED.clear()
    yield REFUSED
    REFUSED.clear()


def test_a_refused_address_is_retried_by_the_next_run_and_nobody_written_to_twice(
    policy, django_capture_on_commit_callbacks, refusing_server
):
    contact = MemberContactFactory(member=MemberFactory(language="en"))
    MemberContactFactory(
        member=contact.member,
        user=UserFactory(email="treasurer@org.example", language="es"),
        is_primary=False,
    )
    invoice = invoice_due(TODAY + 7 * DAY, member=contact.member)
    refusing_server.add("treasurer@org.example")
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 1
    assert [m.to for m in mail.outbox] == [[contact.member.email]]
    invoice.refresh_from_db()
    assert invoice.reminded_before_due_at is not None  # claimed once, for good
    assert invoice.emailed_before_due_at is None  # not written to every address
    assert invoice.reminder_emails.count() == 1

    # The same night again, the server still refusing: the member is not written to twice.
    assert run(TODAY, django_capture_on_commit_callbacks)["before_due"] == 0
    assert [m.to for m in mail.outbox] == [[contact.member.email]]

    # The next night, the server takes it: the treasurer alone is written to.
    refusing_server.clear()
    assert run(TODAY + DAY, django_capture_on_commit_callbacks)["before_due"] == 0
    assert [m.to for m in mail.outbox] == [[contact.member.email], ["treasurer@org.example"]]
    invoice.refresh_from_db()
    assert invoice.emailed_before_due_at is not None
    assert invoice.reminder_emails.count() == 2
    run(TODAY + 2 * DAY, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="contributions.dues.reminders").count() == 1


def test_a_refused_reminder_no_longer_due_is_not_retried(
    policy, django_capture_on_commit_callbacks, refusing_server
):
    invoice = invoice_due(TODAY + DAY)
    refusing_server.add(invoice.membership.member.email)
    run(TODAY, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    DuesPaymentFactory(invoice=invoice, amount=invoice.amount, paid_on=TODAY)
    refusing_server.clear()
    run(TODAY + DAY, django_capture_on_commit_callbacks)
    assert mail.outbox == []  # paid meanwhile: nothing to remind of


def test_nothing_is_claimed_when_the_transaction_rolls_back(policy):
    """The emails go after the commit: a run whose transaction fails sends nothing."""
    from django.db import transaction

    invoice = invoice_due(TODAY + DAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        dues_reminders_send(on=TODAY)
        raise RuntimeError
    invoice.refresh_from_db()
    assert invoice.reminded_before_due_at is None
    assert mail.outbox == []


def test_the_policy_admin_shows_the_reminder_days(admin_client, policy):
    from django.urls import reverse

    html = admin_client.get(reverse("admin:membership_policy_add")).content.decode()
    assert 'name="dues_reminder_days_before_due"' in html
    assert 'name="dues_reminder_days_before_grace_end"' in html
    assert 'value="7"' in html  # the default a new policy starts from


def test_the_nightly_reminders_are_scheduled(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Dues reminders")
    assert task.task == "contributions.send_dues_reminders" and task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("6", "0")
