"""Writes of stewards: who a reseller belongs to, and telling its admins when it stops (or
starts again) taking applications."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.mail import absolute_url, send_templated_email

from ..availability import REASONS, admin_reason
from ..models import Steward

logger = logging.getLogger(__name__)


def steward_member_check(*, kind: str, member) -> None:
    """A reseller belongs to a member holding an operational membership that has not ended
    (a member that also holds a user membership may resell; a user-only member may not). The
    co-op itself belongs to no member."""
    from membership.models import Membership

    if kind != Steward.Kind.RESELLER:
        return
    if member is None:
        raise DomainError(
            _("A reseller belongs to an operational member: choose the member that resells."),
            field="member",
        )
    holds_operational = (
        Membership.objects.filter(member=member, type=Membership.Type.OPERATIONAL)
        .exclude(status=Membership.Status.ENDED)
        .exists()
    )
    if not holds_operational:
        raise DomainError(
            _(
                "%(member)s holds no operational membership: only operational members may "
                "resell. A user member must be admitted as an operational member first."
            )
            % {"member": member},
            field="member",
        )


def steward_member_set(*, steward: Steward, member, actor) -> Steward:
    """Link ``steward`` (a reseller) to the operational member that runs it."""
    if steward.kind != Steward.Kind.RESELLER:
        raise DomainError(_("The co-op steward is not a member."), field="member")
    steward_member_check(kind=steward.kind, member=member)
    with transaction.atomic():
        steward = Steward.objects.select_for_update().get(pk=steward.pk)
        if steward.member_id == getattr(member, "pk", None):
            return steward
        steward.member = member
        steward.save(update_fields=["member"])
        audit_log(
            actor=actor,
            action="resellers.steward.member_set",
            obj=steward,
            data={"member": member.pk},
        )
    return steward


def steward_availability_notify(
    *, steward_id: int, taking: bool, reason: str | None, grace_days: int = 0
) -> bool:
    """Tell the steward's admins that it stopped (or started again) taking applications,
    once per change: the state told is kept on the steward (``availability_notified``), so a
    second call with the same state sends nothing. The first check of a steward that takes
    applications records it silently (nothing changed for its admins).

    Marked in a short transaction, sent after it commits, each admin in their language."""
    if not taking and reason not in REASONS:
        raise ValueError(reason)
    with transaction.atomic():
        steward = Steward.objects.select_for_update().filter(pk=steward_id).first()
        if steward is None or steward.availability_notified is taking:
            return False
        first_check = steward.availability_notified is None
        steward.availability_notified = taking
        steward.save(update_fields=["availability_notified"])
        audit_log(
            actor=None,
            action="resellers.steward.taking" if taking else "resellers.steward.not_taking",
            obj=steward,
            data={"reason": reason or ""},
        )
        if first_check and taking:
            return False
        admins = list(steward.admins.filter(is_active=True))
    template = "resellers/email/steward_open" if taking else "resellers/email/steward_closed"
    for admin in admins:
        language = admin.language or settings.LANGUAGE_CODE
        with translation.override(language):
            why = "" if taking else admin_reason(reason, grace_days=grace_days)
        context = {
            "steward": steward,
            "reason": why,
            "page_url": absolute_url("resellers:apply", kwargs={"slug": steward.slug}),
        }
        try:
            send_templated_email(
                template=template, to=admin.email, language=language, context=context
            )
        except Exception:  # one unreachable address must not stop the other emails
            logger.exception("Email %s to %s was not sent.", template, admin.email)
    return True
