"""Admin pages read a fixed number of queries, however many rows they show.

Every change page with inlines (each ModelAdmin in ``admin.site._registry`` with ``inlines``)
is measured with 5 and with 50 inline rows, and the changelists of the big tables with 5 and
50 rows: the two counts must be equal. A row that reads its related objects one by one (a
read-only foreign key, the row's title, a select that loads its options again for every row)
shows up as 45 more queries.

Each page is requested once before it is measured: the first request of a test reads what
Django then keeps for the process (content types), which is not the page's cost.
"""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    CircleFactory,
    CircleRoleFactory,
    ConcernFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    GovernanceDocumentFactory,
    LabourEntryFactory,
    MeetingFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    MoneyEntryFactory,
    OperationalMembershipFactory,
    ProposalFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

FEW, MANY = 5, 50


# --- change pages with inlines: each builder makes a row with ``n`` inline rows --------------
# and returns it with the steward whose admins may see it (None: co-op admins only).


def _member(n):
    member = MemberFactory()
    membership = MembershipFactory(member=member)
    OperationalMembershipFactory(member=member)
    for _ in range(n):
        MemberContactFactory(member=member, user=UserFactory())
    return member, membership.steward


def _circle(n):
    circle = CircleFactory()
    for _ in range(n):
        CircleRoleFactory(circle=circle)
    return circle, None


def _meeting(n):
    meeting = MeetingFactory()
    for _ in range(n):
        AttendanceFactory(meeting=meeting, recorded_by=UserFactory())
    return meeting, None


def _proposal(n):
    from governance.models import Voter

    now = timezone.now()
    proposal = ProposalFactory(
        status="open",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=3),
        author=UserFactory(),
        electorate_size=n,
    )
    for i in range(n):
        voted = i % 2 == 1
        Voter.objects.create(
            proposal=proposal,
            member=MemberFactory(),
            stance="agree" if voted else "",
            stance_at=now if voted else None,
            stance_by=UserFactory() if voted else None,
        )
    return proposal, None


def _document(n):
    from governance.models import DocumentVersion

    now = timezone.now()
    document = GovernanceDocumentFactory()
    for i in range(n):
        DocumentVersion.objects.create(
            document=document,
            number=i + 1,
            text=f"Version {i + 1}",
            text_sha256="0" * 64,
            proposal=ProposalFactory(
                status="closed", opens_at=now, closes_at=now, closed_at=now, outcome="adopted"
            ),
        )
    return document, None


def _application(n):
    from resellers.models import ApplicationDecision

    application = ApplicationFactory()
    for _ in range(n):
        ApplicationDecision.objects.create(
            application=application, status_to="submitted", decided_by=UserFactory()
        )
    return application, application.steward


def _concern(n):
    from resellers.models import ConcernEntry

    concern = ConcernFactory()
    for _ in range(n - 1):  # with its "opened" entry, n rows
        ConcernEntry.objects.create(concern=concern, kind="answer", author=UserFactory(), text="x")
    return concern, None


def _steward(n):
    steward = StewardFactory(member=MemberFactory())
    for _ in range(n):
        StewardOfferFactory(steward=steward, service_level=ServiceLevelFactory())
    return steward, steward


def _invoice(n):
    invoice = DuesInvoiceFactory()
    for _ in range(n):
        DuesPaymentFactory(invoice=invoice, amount="1.00")
    return invoice, invoice.membership.steward


def _dues_payment(n):
    """A payment refunded in ``n`` parts, each recorded by someone else."""
    from contributions.models import DuesRefund

    payment = DuesPaymentFactory(invoice__amount="100.00")
    for i in range(n):
        DuesRefund.objects.create(
            payment=payment,
            amount="1.00",
            currency=payment.currency,
            refunded_on=payment.paid_on,
            sequence=i + 1,
            reason=f"Part {i + 1}",
            recorded_by=UserFactory(),
        )
    return payment, payment.invoice.membership.steward


def _bank_statement(n):
    from contributions.services import statement_import
    from tests.contributions.bank_samples import camt, entry

    treasurer = UserFactory(is_superuser=True, is_staff=True)
    data = camt(
        *(entry("1.00", name=f"Payer {i}", acct_ref=f"E{n}-{i}") for i in range(n)),
        statement_id=f"S{n}",
    )
    statement, _new = statement_import(
        data=data, file_name=f"s{n}.xml", actor=treasurer, steward=None
    )
    return statement, None


def _online_payment(n):
    from contributions.models import OnlinePayment, OnlinePaymentEvent

    invoice = DuesInvoiceFactory()
    payment = OnlinePayment.objects.create(
        dues_invoice=invoice,
        provider="stripe",
        checkout_id=f"cs_{n}",
        amount="10",
        currency="EUR",
        created_by=UserFactory(),
    )
    for i in range(n):
        OnlinePaymentEvent.objects.create(
            provider="stripe",
            event_id=f"evt_{n}_{i}",
            type="checkout.session.expired",
            online_payment=payment,
            outcome="failed",
        )
    return payment, invoice.membership.steward


def _schedule(kind):
    """A django-celery-beat schedule (``kind``: interval, crontab, solar, clocked) with ``n``
    periodic tasks on it."""

    def build(n):
        from django_celery_beat import models as beat

        schedule = {
            "interval": lambda: beat.IntervalSchedule.objects.create(every=n, period="days"),
            "crontab": lambda: beat.CrontabSchedule.objects.create(minute=str(n)),
            "solar": lambda: beat.SolarSchedule.objects.create(
                event="sunrise", latitude=n, longitude=n
            ),
            "clocked": lambda: beat.ClockedSchedule.objects.create(clocked_time=timezone.now()),
        }[kind]()
        for i in range(n):
            beat.PeriodicTask.objects.create(
                name=f"{kind} {n} {i}",
                task="standing.tasks.recompute_status_nightly",
                one_off=kind == "clocked",
                **{kind: schedule},
            )
        return schedule, None

    return build


CHANGE_PAGES = {
    "membership.member": _member,
    "governance.circle": _circle,
    "governance.meeting": _meeting,
    "governance.proposal": _proposal,
    "governance.governancedocument": _document,
    "resellers.application": _application,
    "resellers.concern": _concern,
    "resellers.steward": _steward,
    "contributions.duesinvoice": _invoice,
    "contributions.duespayment": _dues_payment,
    "contributions.bankstatement": _bank_statement,
    "contributions.onlinepayment": _online_payment,
    **{
        f"django_celery_beat.{kind}schedule": _schedule(kind)
        for kind in ["interval", "crontab", "solar", "clocked"]
    },
}


def _measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _inline_rows(response) -> list[int]:
    return [len(formset.formset.forms) for formset in response.context["inline_admin_formsets"]]


def test_every_admin_with_inlines_is_measured():
    with_inlines = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if model_admin.inlines
    }
    assert with_inlines == set(CHANGE_PAGES)


@pytest.mark.parametrize("label", sorted(CHANGE_PAGES))
def test_a_change_page_reads_as_many_queries_for_50_inline_rows_as_for_5(client, coop_admin, label):
    few, _steward_few = CHANGE_PAGES[label](FEW)
    many, _steward_many = CHANGE_PAGES[label](MANY)
    client.force_login(coop_admin)
    client.get(_change_url(few))
    count_few, response_few = _measure(client, _change_url(few))
    count_many, response_many = _measure(client, _change_url(many))
    assert max(_inline_rows(response_few)) == FEW
    assert max(_inline_rows(response_many)) == MANY
    assert count_many == count_few


# The pages a steward's admin may open whose inline rows it sees (on a member's page it sees
# only its own steward's membership, not the contacts).
STEWARD_SCOPED_PAGES = [
    "contributions.duesinvoice",
    "contributions.duespayment",
    "resellers.application",
    "resellers.steward",
]


@pytest.mark.parametrize("label", STEWARD_SCOPED_PAGES)
def test_a_stewards_admin_reads_as_many_queries_for_50_inline_rows_as_for_5(client, label):
    """The same for a steward's admin, whose pages are scoped and partly read-only."""
    few, steward = CHANGE_PAGES[label](FEW)
    many, other = CHANGE_PAGES[label](MANY)
    user = StewardAdminFactory(stewards=[steward, other])
    client.force_login(user)
    client.get(_change_url(few))
    count_few, response_few = _measure(client, _change_url(few))
    count_many, response_many = _measure(client, _change_url(many))
    assert max(_inline_rows(response_many)) == MANY
    assert count_many == count_few


# --- changelists of the big tables: ``rows(n, steward)`` adds n rows of ``steward`` ----------


def _members(n, steward):
    for _ in range(n):
        contact = MemberContactFactory()
        MembershipFactory(member=contact.member, steward=steward)


def _memberships(n, steward):
    for _ in range(n):
        MembershipFactory(steward=steward)


def _applications(n, steward):
    for _ in range(n):
        ApplicationFactory(steward=steward)


def _ledger_entries(n, steward):
    """Approved entries and their reversals (a reversal shows the entry it reverses)."""
    from contributions.services import entry_reverse

    treasurer = UserFactory(is_superuser=True, is_staff=True)
    for _ in range(n // 2):
        entry = MoneyEntryFactory(status="approved", decided_by=treasurer)
        entry_reverse(entry=entry, reason="Counted twice.", actor=treasurer)
    for _ in range(n % 2):
        LabourEntryFactory()


def _dues_invoices(n, steward):
    for _ in range(n):
        DuesInvoiceFactory(membership__steward=steward)


def _status_changes(n, steward):
    from membership.models import StatusChange

    for _ in range(n):
        StatusChange.objects.create(
            membership=MembershipFactory(steward=steward),
            old_status="active",
            new_status="lapsed",
            effective_on=datetime.date(2026, 1, 1),
            source="on_demand",
            actor=UserFactory(),
            reasons=[{"code": "circle_none", "ok": False, "at_risk": False, "params": {}}],
        )


def _status_runs(n, steward):
    """Runs of the status job, each started by its own person, every other one a dry run."""
    from membership.models import StatusRun

    for i in range(n):
        StatusRun.objects.create(
            on=datetime.date(2026, 1, 1),
            source="command",
            started_by=UserFactory(),
            dry_run=bool(i % 2),
            state="finished",
            evaluated=1000 + i,
            lapsed=i,
        )


def _audit_entries(n, steward):
    from meetcoop.core.audit import audit_log

    for _ in range(n):
        audit_log(actor=UserFactory(), action="membership.member.created", obj=MemberFactory())


CHANGELISTS = {
    "membership_member": _members,
    "membership_membership": _memberships,
    "resellers_application": _applications,
    "contributions_ledgerentry": _ledger_entries,
    "contributions_duesinvoice": _dues_invoices,
    "membership_statuschange": _status_changes,
    "membership_statusrun": _status_runs,
    "core_auditentry": _audit_entries,
}
STEWARD_SCOPED_CHANGELISTS = [
    "contributions_duesinvoice",
    "membership_member",
    "membership_membership",
    "resellers_application",
]


def _changelist_counts(client, name, steward):
    url = reverse(f"admin:{name}_changelist")
    client.get(url)
    counts, made = [], 0
    for total in (FEW, MANY):
        CHANGELISTS[name](total - made, steward)
        made = total
        count, response = _measure(client, url)
        assert response.context["cl"].result_count == total
        counts.append(count)
    return counts


@pytest.mark.parametrize("name", sorted(CHANGELISTS))
def test_a_changelist_reads_as_many_queries_for_50_rows_as_for_5(client, coop_admin, name):
    client.force_login(coop_admin)
    few, many = _changelist_counts(client, name, StewardFactory())
    assert many == few


@pytest.mark.parametrize("name", STEWARD_SCOPED_CHANGELISTS)
def test_a_stewards_changelist_reads_as_many_queries_for_50_rows_as_for_5(client, name):
    steward = StewardFactory()
    client.force_login(StewardAdminFactory(stewards=[steward]))
    few, many = _changelist_counts(client, name, steward)
    assert many == few
