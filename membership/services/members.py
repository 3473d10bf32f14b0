"""Members, their logins, and their memberships."""

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.dates import date_medium
from meetcoop.core.emails import email_canonical
from meetcoop.core.errors import DomainError
from meetcoop.core.languages import shipped
from meetcoop.core.locks import lock_until_commit
from meetcoop.users.models import User

from ..models import Member, MemberContact, Membership, Policy, StatusChange
from ..reasons import system_note
from ..signals import membership_created
from .signals import statuses_changed_after_commit


def member_email_lock(email: str) -> None:
    """Hold, until the transaction ends, the lock of ``email``: whoever creates the member or
    the login of an email (or decides whether it is new) does so one at a time, and the
    second finds the first's. Call it inside ``transaction.atomic()``."""
    lock_until_commit(f"membership.email:{email_canonical(email)}")


def member_get_or_create(
    *, kind: str, name: str, organisation_name: str, email: str, country, language: str, actor
):
    """The member known by ``email`` (any case), or a new one with these details.

    Returns ``(member, created)``. An existing member keeps its details: the application's
    copy does not overwrite what the member may have corrected since. Whoever calls it with
    someone else's request must first have the email's owner agree (resellers asks the owner
    of an email already in use before an application becomes theirs).
    """
    email = email_canonical(email)
    with transaction.atomic():
        member_email_lock(email)  # two approvals of one new email at once: one member
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
    email = member.email.lower()
    with transaction.atomic():
        member_email_lock(email)
        # The login whose email it is, or that has it as a verified address of its own.
        user = (
            User.objects.filter(email__iexact=email).first()
            or User.objects.filter(
                emailaddress__email__iexact=email, emailaddress__verified=True
            ).first()
        )
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
                is_primary=not MemberContact.objects.filter(
                    member=member, is_primary=True
                ).exists(),
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
    source: str = StatusChange.Source.APPLICATION,
    note: dict | None = None,
):
    """Give ``member`` a membership of ``type``; refused when it already holds an open one.

        A membership created in a status other than ``pending`` gets the first row of its status
        history (``pending`` to that status, from ``source``: an application decision, or a person
        in the admin, with ``note`` saying it: a ``reasons.system_note``, worded in the reader's
    language when read), like every later change. A pending one
        has no change yet: its admission writes the first row (``membership_admit``).

        Sends ``membership_created`` inside the transaction: contributions issues the first dues
        invoice there, so a membership never exists without it, whoever made it."""
    if type not in Membership.Type.values:
        raise DomainError(_("Unknown membership type."), field="type")
    if (type == Membership.Type.USER) != (service_level is not None):
        raise DomainError(
            _("A user membership needs a service level; an operational one has none."),
            field="service_level",
        )
    if type == Membership.Type.OPERATIONAL:
        # Its commitment is the policy of this day's: a day before the first policy would
        # leave it with none, and every status run would stop on it.
        policy_day = applied_on or admitted_on or timezone.localdate()
        if not Policy.objects.filter(effective_from__lte=policy_day).exists():
            raise DomainError(
                _("No policy is in force on %(date)s.") % {"date": date_medium(policy_day)},
                field="applied_on",
                code="policy_missing",
            )
    with transaction.atomic():
        # Two admins adding at once: the second waits here and then finds the first's.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        # One open membership per member and type ("open" is "not dated as ended").
        if Membership.objects.filter(member=member, type=type, ended_on__isnull=True).exists():
            raise DomainError(
                _("%(member)s already holds a %(type)s membership.")
                % {"member": member, "type": Membership.Type(type).label},
                code="membership_exists",
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
        if status != Membership.Status.PENDING:
            StatusChange.objects.create(
                membership=membership,
                old_status=Membership.Status.PENDING,
                new_status=status,
                effective_on=admitted_on or applied_on or timezone.localdate(),
                changed_at=membership.status_changed_at,
                source=source,
                actor=actor,
                reasons=[note] if note else [],
            )
        audit_log(
            actor=actor,
            action="membership.membership.created",
            obj=membership,
            data={"type": type, "steward": steward.pk, "status": status},
        )
        statuses_changed_after_commit([membership.pk])
        membership_created.send(
            sender=Membership,
            membership=membership,
            actor=actor,
            on=admitted_on or applied_on or timezone.localdate(),
        )
    return membership


def membership_add(
    *,
    member,
    type: str,
    steward,
    service_level=None,
    applied_on: datetime.date | None = None,
    actor,
    on: datetime.date | None = None,
):
    """A co-op admin adds a membership by hand (the admin's "add").

    A user membership is active from ``on`` (today), admitted that day, with its first dues
    invoice. An operational membership is created ``pending``: it becomes active only when
    the Permanent Assembly adopts an admission (resellers' admission of an application for
    this member reuses it), never by a person's hand. Refused, like every creation, when the
    member already holds an open membership of that type.
    """
    on = on or timezone.localdate()
    operational = type == Membership.Type.OPERATIONAL
    return membership_create(
        member=member,
        type=type,
        steward=steward,
        service_level=service_level,
        status=Membership.Status.PENDING if operational else Membership.Status.ACTIVE,
        applied_on=applied_on or on,
        admitted_on=None if operational else on,
        actor=actor,
        source=StatusChange.Source.PERSON,
        note=system_note("added_in_admin"),
    )


def person_language_set(*, user, language: str, actor) -> bool:
    """A person's own language: their pages and the emails to them (``User.language``), and
    the language the co-op writes in to the members they are the one person behind (a person
    member whose contact they are; an organisation's language is the organisation's to set,
    in the admin). Returns whether anything changed; an unknown language is refused."""
    if not shipped(language):
        raise DomainError(_("The site is not translated into that language."), field="language")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        members = Member.objects.filter(kind=Member.Kind.PERSON, contacts=user).exclude(
            language=language
        )
        changed_members = list(members.values_list("pk", flat=True))
        if user.language == language and not changed_members:
            return False
        before = user.language
        User.objects.filter(pk=user.pk).update(language=language)
        Member.objects.filter(pk__in=changed_members).update(language=language)
        audit_log(
            actor=actor,
            action="users.user.language_set",
            obj=user,
            data={"from": before, "to": language, "members": changed_members},
        )
    return True
