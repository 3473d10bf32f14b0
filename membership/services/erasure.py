"""A former member asks to be forgotten (the erasure itself, which writes every app's rows, is
``standing.services.erasure_confirm``)."""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_coop_admin

from ..models import ErasureRequest, Member, MemberContact, Membership

# Crockford's base32, without the letters that read like digits.
TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ALREADY_ERASED = "already_erased"
NOT_ENDED = "memberships_not_ended"


def new_token() -> str:
    """Ten random characters (50 bits): the erased email and the pseudonym are made of it."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(10))


def pseudonym_of(token: str) -> str:
    """ "Former member 4F7K-2Q": the first six characters of the token, in the co-op's
    language (it is written in the rows, not shown per reader)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Former member %(code)s") % {"code": f"{token[:4]}-{token[4:6]}"}


def memberships_not_ended(member: Member) -> list[Membership]:
    return list(
        Membership.objects.filter(member=member, ended_on__isnull=True)
        .select_related("steward")
        .order_by("pk")
    )


def refuse_unless_ended(member: Member) -> None:
    """Refuse, naming what to end first, while any membership of ``member`` is not ended."""
    open_ones = memberships_not_ended(member)
    if open_ones:
        names = "; ".join(
            f"{m.type_title} · {m.steward.name} ({m.get_status_display()})" for m in open_ones
        )
        raise DomainError(
            ngettext(
                "This member still holds a membership: end it first (%(memberships)s).",
                "This member still holds memberships: end them first (%(memberships)s).",
                len(open_ones),
            )
            % {"memberships": names},
            code=NOT_ENDED,
        )


def may_request_erasure(user, member: Member) -> bool:
    """A contact of the member (a former member keeps their login until the erasure) or a
    co-op admin on their behalf."""
    if is_coop_admin(user):
        return True
    return MemberContact.objects.filter(member=member, user_id=getattr(user, "pk", None)).exists()


def erasure_request(*, member: Member, actor, reason: str = "") -> ErasureRequest:
    """Record that ``member`` asks to be forgotten. Refused while a membership is not ended,
    when the member is already erased, and when a request is already waiting (which is
    returned unchanged instead: asking twice is a no-op)."""
    if not may_request_erasure(actor, member):
        raise PermissionDenied
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if ErasureRequest.objects.filter(
            member=locked, status=ErasureRequest.Status.CONFIRMED
        ).exists():
            raise DomainError(_("This member has already been erased."), code=ALREADY_ERASED)
        waiting = ErasureRequest.objects.filter(
            member=locked, status=ErasureRequest.Status.REQUESTED
        ).first()
        if waiting is not None:
            return waiting
        refuse_unless_ended(locked)
        for _attempt in range(5):
            token = new_token()
            try:
                with transaction.atomic():
                    request = ErasureRequest.objects.create(
                        member=locked,
                        requested_by=actor,
                        requested_at=timezone.now(),
                        reason=reason.strip(),
                        token=token,
                        pseudonym=pseudonym_of(token),
                    )
                break
            except IntegrityError:  # the same pseudonym twice: draw again
                continue
        else:  # pragma: no cover - 2**30 pseudonyms
            raise DomainError(_("No pseudonym could be made; try again."))
        audit_log(
            actor=actor,
            action="membership.erasure.requested",
            obj=request,
            data={
                "member": locked.pk,
                "on_behalf": not MemberContact.objects.filter(
                    member=locked, user_id=actor.pk
                ).exists(),
            },
        )
    return request
