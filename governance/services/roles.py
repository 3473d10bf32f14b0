"""Waged roles: published by the co-op or a circle's coordinator, applied for by members whose
operational membership is active, decided once by a coordinator of the role's circle or a
co-op admin, or sent by them to a proposal whose electorate decides (the role's circle, the
operational members or all members with voting rights). An accepted application makes its
member a holder from that day (for a proposal, the day it closes)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.dates import check_plausible
from meetcoop.core.errors import DomainError
from meetcoop.core.money import format_money, validate_currency
from membership.models import Membership
from membership.selectors import member_ids_of

from ..models import Proposal, RoleApplication, RoleHolder, WagedRole
from ..selectors.roles import can_manage_role
from .proposals import proposal_open, proposal_title


def _amount(value, label: str, minimum: Decimal) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s must be a number.") % {"label": label}) from None
    if not amount.is_finite() or amount < minimum:
        raise DomainError(
            _("%(label)s must be at least %(minimum)s.") % {"label": label, "minimum": minimum}
        )
    return amount


def role_publish(
    *,
    title: str,
    circle,
    description: str,
    hours_per_month,
    pay_per_month,
    currency: str,
    closes_on: datetime.date,
    actor,
    on: datetime.date | None = None,
) -> WagedRole:
    on = on or timezone.localdate()
    if not can_manage_role(actor, circle, on=on):
        raise PermissionDenied(
            _("Only a co-op admin, or a coordinator of the circle, publishes a role.")
        )
    if not title.strip() or not description.strip():
        raise DomainError(_("Give the role a title and say what the work is."), field="description")
    if closes_on < on:
        raise DomainError(_("Applications can't close before today."), field="closes_on")
    check_plausible(closes_on, field="closes_on", today=on)
    validate_currency(currency)
    with transaction.atomic():
        role = WagedRole(
            title=title.strip(),
            circle=circle,
            description=description.strip(),
            hours_per_month=_amount(hours_per_month, _("The hours"), Decimal("0.25")),
            pay_per_month=_amount(pay_per_month, _("The pay"), Decimal("0")),
            currency=currency,
            closes_on=closes_on,
            published_by=actor,
        )
        role.full_clean()
        role.save()
        audit_log(actor=actor, action="governance.role.published", obj=role)
    return role


def role_apply(*, role: WagedRole, member, statement: str, actor, on=None) -> RoleApplication:
    """``member`` applies for ``role``: only while its operational membership is active, only
    until the role closes, once."""
    on = on or timezone.localdate()
    if member.pk not in member_ids_of(actor):
        raise PermissionDenied(_("You may apply only for a member you act for."))
    if not role.is_open(on):
        raise DomainError(_("Applications for this role are closed."))
    active = Membership.objects.filter(
        member=member, type=Membership.Type.OPERATIONAL, status=Membership.Status.ACTIVE
    ).exists()
    if not active:
        raise DomainError(
            _("Only members whose operational membership is active may apply for a waged role.")
        )
    if not statement.strip():
        raise DomainError(_("Say why you are the person for this role."), field="statement")
    try:
        with transaction.atomic():
            application = RoleApplication.objects.create(
                role=role, member=member, statement=statement.strip(), applied_by=actor
            )
            audit_log(actor=actor, action="governance.role.applied", obj=application)
    except IntegrityError:
        raise DomainError(_("This member has already applied for this role.")) from None
    return application


def role_application_decide(
    *, application: RoleApplication, accept: bool, note: str = "", actor, on=None
) -> RoleApplication:
    """Accept or decline once. Accepting makes the member a holder of the role from ``on``.
    A second decision is refused, whoever makes it."""
    on = on or timezone.localdate()
    with transaction.atomic():
        application = (
            RoleApplication.objects.select_for_update(of=("self",))
            .select_related("role__circle")
            .get(pk=application.pk)
        )
        if not can_manage_role(actor, application.role.circle, on=on):
            raise PermissionDenied(
                _("Only a co-op admin, or a coordinator of the circle, decides.")
            )
        if application.member_id in member_ids_of(actor):
            raise PermissionDenied(_("Nobody decides their own application."))
        _check_pending(application)
        _record_decision(application, accept=accept, note=note, actor=actor, on=on)
    return application


def _record_decision(application, *, accept: bool, note: str, actor, on, data=None) -> None:
    """Write a decision on a locked, pending application: its status, who decided and why;
    accepted, the member holds the role from ``on``. Audited. The one place both ways of
    deciding (directly, or by a proposal's outcome) record it."""
    application.status = (
        RoleApplication.Status.ACCEPTED if accept else RoleApplication.Status.DECLINED
    )
    application.decided_by = actor if getattr(actor, "pk", None) else None
    application.decided_at = timezone.now()
    application.decision_note = (note or "").strip()[:300]
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if accept:
        RoleHolder.objects.create(
            role_id=application.role_id,
            member_id=application.member_id,
            application=application,
            started_on=on,
        )
    audit_log(
        actor=actor,
        action=f"governance.role.{application.status}",
        obj=application,
        data={**(data or {}), "note": application.decision_note},
    )


def _check_pending(application: RoleApplication) -> None:
    """Refuse a decision on an application already decided, or before a proposal."""
    if application.status != RoleApplication.Status.PENDING:
        raise DomainError(
            _("This application was already decided: %(status)s.")
            % {"status": application.get_status_display()}
        )
    proposal = Proposal.objects.filter(role_application=application).first()
    if proposal is not None:
        raise DomainError(
            _(
                "This application was sent to the proposal “%(title)s”: its electorate "
                "decides it when it closes."
            )
            % {"title": proposal.title}
        )


# Who may decide a role by proposal: the role's circle (a circle role only), the operational
# members, or all members with voting rights.
ROLE_ELECTORATES = (
    Proposal.Electorate.CIRCLE,
    Proposal.Electorate.OPERATIONAL,
    Proposal.Electorate.ALL,
)


def role_application_propose(
    *,
    application: RoleApplication,
    electorate: str,
    closes_at: datetime.datetime,
    actor,
    now=None,
) -> Proposal:
    """Send a pending application to a proposal instead of deciding it: whoever may decide it
    chooses the electorate, and the proposal opens at once. Adopted when it closes, the
    member holds the role from that day; not adopted, the application is declined. Only
    once per application; a direct decision is refused while the proposal exists."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    if electorate not in ROLE_ELECTORATES:
        raise DomainError(_("Choose who decides."), field="electorate")
    with transaction.atomic():
        application = (
            RoleApplication.objects.select_for_update(of=("self",))
            .select_related("role__circle", "member")
            .get(pk=application.pk)
        )
        role = application.role
        if not can_manage_role(actor, role.circle, on=on):
            raise PermissionDenied(
                _("Only a co-op admin, or a coordinator of the circle, decides.")
            )
        if application.member_id in member_ids_of(actor):
            raise PermissionDenied(_("Nobody decides their own application."))
        _check_pending(application)
        if electorate == Proposal.Electorate.CIRCLE and role.circle is None:
            raise DomainError(
                _(
                    "This role belongs to the whole co-op: choose the operational members or all "
                    "members with voting rights."
                ),
                field="electorate",
            )
        names = {"member": application.member.display_name, "role": role.title}
        proposal = Proposal(
            title=proposal_title(_("%(member)s for the waged role “%(role)s”") % names),
            text=_(
                "Appoint %(member)s to the waged role “%(role)s”: %(hours)s hours a month, "
                "paid %(pay)s a month.\n\nThe role:\n\n%(description)s\n\n"
                "Why %(member)s applies:\n\n%(statement)s"
            )
            % {
                **names,
                "hours": f"{role.hours_per_month.normalize():f}",  # 20, not 2E+1
                "pay": format_money(role.pay_per_month, role.currency),
                "description": role.description,
                "statement": application.statement,
            },
            electorate=electorate,
            circle=role.circle if electorate == Proposal.Electorate.CIRCLE else None,
            role_application=application,
            author=actor,
        )
        proposal.full_clean()
        proposal.save()
        audit_log(
            actor=actor,
            action="governance.role.proposed",
            obj=application,
            data={"proposal": proposal.pk, "electorate": electorate},
        )
        return proposal_open(proposal=proposal, closes_at=closes_at, actor=actor, now=now)


def role_application_settle(*, proposal: Proposal, adopted: bool, reason: str, actor, on) -> None:
    """Record the outcome of a closing proposal on the application it decides (called by
    ``proposal_close`` in its transaction, with the proposal locked)."""
    application = RoleApplication.objects.select_for_update(of=("self",)).get(
        pk=proposal.role_application_id
    )
    if application.status != RoleApplication.Status.PENDING:
        return
    # Why is the proposal's outcome, read in each reader's language from the proposal
    # (``RoleApplication.decision_words``): no words of the closing moment's language here.
    _record_decision(
        application,
        accept=adopted,
        note="",
        actor=actor,
        on=on,
        data={"proposal": proposal.pk, "reason": reason},
    )


def role_holding_end(*, holder: RoleHolder, ended_on: datetime.date, actor, on=None) -> RoleHolder:
    """End a holding on its last day. Whoever decides the role's applications may; once."""
    on = on or timezone.localdate()
    with transaction.atomic():
        holder = (
            RoleHolder.objects.select_for_update(of=("self",))
            .select_related("role__circle")
            .get(pk=holder.pk)
        )
        if not can_manage_role(actor, holder.role.circle, on=on):
            raise PermissionDenied(
                _("Only a co-op admin, or a coordinator of the circle, decides.")
            )
        if holder.ended_on is not None:
            raise DomainError(_("This holding has already ended."))
        if ended_on < holder.started_on:
            raise DomainError(_("The last day can't be before the first."), field="ended_on")
        check_plausible(ended_on, field="ended_on", today=on)
        holder.ended_on = ended_on
        holder.save(update_fields=["ended_on"])
        audit_log(
            actor=actor,
            action="governance.role.holding_ended",
            obj=holder,
            data={"ended_on": ended_on.isoformat()},
        )
    return holder
