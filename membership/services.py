"""Writes of the membership app. Each takes the acting user and writes an audit entry."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log

from .models import Policy


def policy_create(*, actor, effective_from: datetime.date, **values) -> Policy:
    """Add a policy. It may not start in the past: people already bound keep their numbers."""
    if effective_from < timezone.localdate() and Policy.objects.exists():
        raise ValidationError(
            _("A new policy can't start in the past; choose today or a later date.")
        )
    with transaction.atomic():
        policy = Policy(effective_from=effective_from, created_by=actor, **values)
        policy.full_clean()
        policy.save()
        audit_log(
            actor=actor,
            action="membership.policy.created",
            obj=policy,
            data={"effective_from": effective_from.isoformat()},
        )
    return policy


# --- Issue 3: members, logins and memberships made from an application -------------------------


class MembershipError(Exception):
    """A membership can't be created as asked (the message is for people)."""


def member_get_or_create(
    *, kind: str, name: str, organisation_name: str, email: str, country, language: str, actor
):
    """The member known by ``email`` (any case), or a new one with these details.

    Returns ``(member, created)``. An existing member keeps its details: the application's
    copy does not overwrite what the member may have corrected since.
    """
    from .models import Member

    member = Member.objects.filter(email__iexact=email).order_by("pk").first()
    if member is not None:
        return member, False
    member = Member(
        kind=kind,
        name=name,
        organisation_name=organisation_name if kind == Member.Kind.ORGANISATION else "",
        email=email.lower(),
        country=country,
        language=language,
    )
    member.full_clean()
    member.save()
    audit_log(actor=actor, action="membership.member.created", obj=member)
    return member, True


def contact_login_ensure(*, member, name: str, language: str, actor):
    """Make sure ``member`` has a login for its email, as a contact person.

    Returns ``(user, needs_password)``: ``needs_password`` is true while the login has no
    usable password (the caller sends the invitation to set one). The address is marked
    verified: the applicant just used it to receive our mail.
    """
    from allauth.account.models import EmailAddress

    from meetcoop.users.models import User

    from .models import MemberContact

    email = member.email.lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, name=name, language=language)
        user.set_unusable_password()
        user.save()
        audit_log(actor=actor, action="users.user.invited", obj=user)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if not MemberContact.objects.filter(member=member, user=user).exists():
        MemberContact.objects.create(
            member=member,
            user=user,
            is_primary=not MemberContact.objects.filter(member=member, is_primary=True).exists(),
        )
    return user, not user.has_usable_password()


def membership_create(
    *,
    member,
    type: str,
    steward,
    service_level=None,
    status: str,
    applied_on: datetime.date | None,
    admitted_on: datetime.date | None,
    actor,
):
    """Give ``member`` a membership of ``type``; refused when it already holds an open one."""
    from .models import Membership

    if Membership.objects.filter(member=member, type=type).exclude(status="ended").exists():
        raise MembershipError(
            _("%(member)s already holds a %(type)s membership.")
            % {"member": member, "type": Membership.Type(type).label}
        )
    membership = Membership(
        member=member,
        type=type,
        steward=steward,
        service_level=service_level,
        status=status,
        applied_on=applied_on,
        admitted_on=admitted_on,
        status_changed_at=timezone.now(),
    )
    membership.full_clean(validate_constraints=False)
    membership.save()
    audit_log(
        actor=actor,
        action="membership.membership.created",
        obj=membership,
        data={"type": type, "steward": steward.pk, "status": status},
    )
    return membership


def terms_acceptances_record(*, member, versions, accepted_at, accepted_by=None) -> None:
    """Record that ``member`` accepted ``versions`` at ``accepted_at`` (once per version)."""
    from .models import TermsAcceptance

    for version in versions:
        TermsAcceptance.objects.get_or_create(
            member=member,
            terms_version=version,
            defaults={"accepted_at": accepted_at, "accepted_by": accepted_by},
        )
