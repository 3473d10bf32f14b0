"""Pledge invoices: what an admitted operational member pledged to pay in money."""

import datetime

from django.db import transaction
from django.db.models import DateField, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from meetcoop.core.audit import audit_log
from membership.models import Membership, Policy
from membership.selectors import policy_day_expression, policy_from
from resellers.models import Application

from ..models import PledgeInvoice


def pledge_deadline(
    *, policy_day: datetime.date, start_day: datetime.date, policies
) -> datetime.date | None:
    """The last day of a membership's commitment, as the status rules count it: the day it
    runs from (admitted, else created) plus the commitment deadline of the policy that binds
    it (in force on ``Membership.policy_date``). None when no policy was in force then."""
    bound = policy_from(policies, policy_day)
    if bound is None:
        return None
    return start_day + datetime.timedelta(days=bound.commitment_deadline_days)


def pledge_invoices_issue(
    *, on: datetime.date, actor=None, memberships=None, batch_size: int = 1000
) -> int:
    """Issue a pledge invoice to every active operational membership whose admitted
    application pledged money and that has none yet: the pledged amount in the pledged
    currency, due on the last day of the commitment (``pledge_deadline``).

    Set-based: one read of the memberships (their application's pledge alongside) and one
    of the policies, then bulk inserts; the one-to-one membership makes a second run issue
    nothing. ``memberships``: only these (ids), e.g. the one just admitted. Returns the
    number of invoices issued."""
    pledge = Application.objects.filter(
        membership=OuterRef("pk"),
        type=Application.Type.OPERATIONAL,
        status=Application.Status.ADMITTED,
        pledge_money__gt=0,
    ).order_by("-decided_at", "-pk")
    rows = Membership.objects.filter(
        type=Membership.Type.OPERATIONAL,
        status=Membership.Status.ACTIVE,
        pledge_invoice__isnull=True,
    )
    if memberships is not None:
        rows = rows.filter(pk__in=list(memberships))
    rows = (
        rows.annotate(
            pledge_money=Subquery(pledge.values("pledge_money")[:1]),
            pledge_currency=Subquery(pledge.values("pledge_currency")[:1]),
            policy_day=policy_day_expression(),
            # The day the commitment runs from, as ``standing.selectors.start_day_expression``.
            start_day=Coalesce("admitted_on", TruncDate("created_at"), output_field=DateField()),
        )
        .filter(pledge_money__gt=0)
        .values_list("pk", "pledge_money", "pledge_currency", "policy_day", "start_day")
        .order_by("pk")
    )
    rows = list(rows)
    if not rows:
        return 0
    policies = list(Policy.objects.order_by("effective_from"))
    now = timezone.now()
    invoices = []
    for pk, amount, currency, policy_day, start_day in rows:
        due_on = pledge_deadline(policy_day=policy_day, start_day=start_day, policies=policies)
        if due_on is None:
            continue
        invoices.append(
            PledgeInvoice(
                membership_id=pk,
                amount=amount,
                currency=currency,
                due_on=due_on,
                issued_at=now,
                reference=PledgeInvoice.reference_for(pk),
            )
        )
    if not invoices:
        return 0
    with transaction.atomic():
        before = PledgeInvoice.objects.count()
        PledgeInvoice.objects.bulk_create(invoices, batch_size=batch_size, ignore_conflicts=True)
        issued = PledgeInvoice.objects.count() - before
        audit_log(
            actor=actor,
            action="contributions.pledge.issued",
            data={"on": on.isoformat(), "issued": issued},
        )
    return issued
