"""Which members a login may ask to have forgotten (``/me/``)."""

from django.db.models import Exists, OuterRef

from membership.models import ErasureRequest, Membership
from membership.selectors import members_of_user


def erasure_annotations() -> dict:
    """Annotations of a member query: ``open_membership`` (one not ended), ``erasure_waiting``
    (a request waits), ``erased`` (a request was confirmed)."""
    requests = ErasureRequest.objects.filter(member=OuterRef("pk"))
    return {
        "open_membership": Exists(
            Membership.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)
        ),
        "erasure_waiting": Exists(requests.filter(status=ErasureRequest.Status.REQUESTED)),
        "erased": Exists(requests.filter(status=ErasureRequest.Status.CONFIRMED)),
    }


def erasable_rows(members) -> list[dict]:
    """Of ``members`` (annotated with ``erasure_annotations``), those whose memberships have
    all ended (a former member), with whether a request already waits. A member already
    erased can't sign in any more, so it never shows."""
    return [
        {"member": member, "waiting": member.erasure_waiting}
        for member in members
        if not member.open_membership and not member.erased
    ]


def erasable_members(user) -> list[dict]:
    """``erasable_rows`` of the members ``user`` speaks for; one query."""
    members = members_of_user(user).annotate(**erasure_annotations()).order_by("pk")
    return erasable_rows(members)
