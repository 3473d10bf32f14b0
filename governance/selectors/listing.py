"""Reads of the public pages: the membership page's document and the public list of members."""

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from membership.models import Membership
from membership.selectors import members_of_user

from ..models import GovernanceDocument, PublicListing


def can_read_document(user, document: GovernanceDocument) -> bool:
    """A public document is read by anyone; any other needs a login."""
    return document.public or getattr(user, "is_authenticated", False)


def membership_page_document() -> GovernanceDocument | None:
    """The document designated as the membership page, with its version in force and the
    proposal that adopted it (one query); None when no document is designated."""
    return (
        GovernanceDocument.objects.select_related("current_version__proposal", "responsible_circle")
        .filter(membership_page=True, public=True)
        .first()
    )


def public_listings() -> QuerySet[PublicListing]:
    """Members that opted in and whose operational membership is active today, by name shown
    (one query)."""
    active_operational = Membership.objects.filter(
        member_id=OuterRef("member_id"),
        type=Membership.Type.OPERATIONAL,
        status=Membership.Status.ACTIVE,
    )
    return (
        PublicListing.objects.filter(listed=True)
        .filter(Exists(active_operational))
        .order_by("display_name", "pk")
    )


def listable_members_of(user) -> list:
    """The members ``user`` acts for that may be on the public list (those with an operational
    membership, whatever its status), by name (one query)."""
    operational = Membership.objects.filter(
        member_id=OuterRef("pk"), type=Membership.Type.OPERATIONAL
    )
    return list(members_of_user(user).filter(Exists(operational)).order_by("name", "pk"))


def listing_is_shown(listing: PublicListing | None) -> bool:
    """Whether ``listing`` is on the public list now: opted in, and the member's operational
    membership active (the rule ``public_listings`` applies to all)."""
    return listing is not None and public_listings().filter(pk=listing.pk).exists()


def language_names(codes) -> list[str]:
    """The names of ``codes`` (from settings.LANGUAGES), in the reader's language."""
    from django.utils.translation import gettext

    names = dict(settings.LANGUAGES)
    return [gettext(str(names[code])) for code in codes if code in names]
