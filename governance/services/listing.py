"""Writes of the public list of members: an operational member opts in (with the name,
website, languages and offer it wants shown) or out."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from membership.models import Member, Membership
from membership.selectors import member_ids_of

from ..models import PublicListing

FIELDS = ("listed", "display_name", "website", "languages", "offer")


def listing_set(
    *,
    member: Member,
    listed: bool,
    display_name: str = "",
    website: str = "",
    languages=(),
    offer: str = "",
    actor,
) -> PublicListing:
    """Record ``member``'s choice. Only a login acting for the member may; only a member with an
    operational membership may opt in (it is shown only while that membership is active, see
    ``selectors.public_listings``). Opting out hides it at once; the details are kept for an
    opt-in later and go with the member's data."""
    if member.pk not in member_ids_of(actor):
        raise DomainError(_("Only the member itself chooses whether it is listed."))
    chosen = set(languages or ())
    languages = [code for code, _name in settings.LANGUAGES if code in chosen]
    if listed:
        if not member.memberships.filter(type=Membership.Type.OPERATIONAL).exists():
            raise DomainError(_("Only operational members can be listed publicly."), field="listed")
        if not (display_name or "").strip():
            raise DomainError(_("Give the name to show."), field="display_name")
    with transaction.atomic():
        listing, _created = PublicListing.objects.select_for_update().get_or_create(
            member=member, defaults={"display_name": display_name or member.display_name}
        )
        before = {field: getattr(listing, field) for field in FIELDS}
        listing.listed = listed
        if listed or (display_name or "").strip():
            listing.display_name = (display_name or "").strip() or listing.display_name
            listing.website = website or ""
            listing.languages = languages
            listing.offer = (offer or "").strip()
        after = {field: getattr(listing, field) for field in FIELDS}
        if before == after and not _created:
            return listing
        listing.updated_at = timezone.now()
        listing.full_clean()
        listing.save()
        audit_log(
            actor=actor,
            action="governance.listing.opted_in" if listed else "governance.listing.opted_out",
            obj=listing,
            data={"member": member.pk, **after},
        )
    return listing
