"""Who may sign in to which service: access follows membership.

A steward's service lets in a person who acts for a member holding an **active** membership
whose steward is the service's steward. The co-op's own services (the co-op steward's) also let
in every member with an active **operational** membership. Every other case is refused, with a
code the refusal page words (``refusal``)."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db.models import Max, Q
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken

from meetcoop.core.db import in_ids
from membership.models import MemberContact, Membership
from membership.reasons import reason_advice, reason_text
from membership.selectors import latest_status_changes, members_of_user
from resellers.models import Steward

from ..models import Service, ServiceSignIn, ServiceSubject

# When several memberships could serve, the one a refusal speaks of: the one the person can
# most easily put right comes first.
REFUSAL_ORDER = ["lapsed", "suspended", "pending", "ended"]


@dataclass(frozen=True)
class Access:
    """Whether a person may sign in to a service, and the membership that decides it."""

    allowed: bool
    code: str  # "active", or why not: lapsed, suspended, pending, ended, none, unknown
    membership: Membership | None = None


def serves(service: Service, *, steward_id: int, membership_type: str) -> bool:
    """Whether a membership (its steward and type) is served by ``service``."""
    if steward_id == service.steward_id:
        return True
    return (
        service.steward.kind == Steward.Kind.COOP and membership_type == Membership.Type.OPERATIONAL
    )


def _served_q(service: Service) -> Q:
    q = Q(steward_id=service.steward_id)
    if service.steward.kind == Steward.Kind.COOP:
        q |= Q(type=Membership.Type.OPERATIONAL)
    return q


def service_of_client(client_id: str | None) -> Service | None:
    """The service registered with the OAuth client ``client_id`` (None when none is)."""
    if not client_id:
        return None
    return (
        Service.objects.select_related("application", "steward")
        .filter(application__client_id=client_id)
        .first()
    )


def service_access(user, service: Service | None) -> Access:
    """May ``user`` sign in to ``service`` now? Only an active login may; then two
    queries."""
    if service is None:
        return Access(False, "unknown")
    if not getattr(user, "is_active", False):
        # A login deactivated in the admin (or erased) signs in nowhere, whatever the
        # memberships it acts for; its tokens refresh no more.
        return Access(False, "none")
    memberships = list(
        Membership.objects.filter(member__in=members_of_user(user))
        .filter(_served_q(service))
        .select_related("member", "steward", "service_level")
        # A user membership names the level the service gives; it speaks first.
        .order_by("-type", "pk")
    )
    active = [m for m in memberships if m.status == Membership.Status.ACTIVE]
    if active:
        # At a steward's own service its own memberships speak before an operational one.
        active.sort(key=lambda m: m.steward_id != service.steward_id)
        return Access(True, "active", active[0])
    for status in REFUSAL_ORDER:
        for membership in memberships:
            if membership.status == status:
                return Access(False, status, membership)
    return Access(False, "none")


def users_of_memberships(membership_ids) -> set[int]:
    """The logins acting for the members of ``membership_ids`` (one query, whatever their
    number: the status job moves tens of thousands at once)."""
    members = Membership.objects.filter(in_ids("pk", membership_ids)).values("member_id")
    return set(
        MemberContact.objects.filter(member_id__in=members).values_list("user_id", flat=True)
    )


def users_refused(pairs: list[tuple[int, Service]]) -> set[tuple[int, int]]:
    """Of the (user id, service) pairs, those whose user may no longer sign in to the service,
    as (user id, service id). One query, whatever the number of pairs."""
    user_ids = {user_id for user_id, _service in pairs}
    if not user_ids:
        return set()
    # Each person's active memberships, as (steward, type): the pairs are then checked
    # against their own person's few rows, not against every row read.
    active: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for who, steward_id, kind in Membership.objects.filter(
        status=Membership.Status.ACTIVE,
        member__contact_links__user__in=user_ids,
        # A deactivated login is let in nowhere (as ``service_access``).
        member__contact_links__user__is_active=True,
    ).values_list("member__contact_links__user", "steward_id", "type"):
        active[who].add((steward_id, kind))
    return {
        (user_id, service.pk)
        for user_id, service in pairs
        if not any(
            serves(service, steward_id=steward_id, membership_type=kind)
            for steward_id, kind in active.get(user_id, ())
        )
    }


@dataclass
class Refusal:
    """What the refusal page says: why, what to do, whom to ask."""

    why: str
    todo: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""
    dashboard: bool = True


def refusal(access: Access, service: Service | None) -> Refusal:
    """The words of a refused sign-in, in the active language."""
    if service is None or access.code == "unknown":
        return Refusal(
            why=_("This application is not one of the co-op's services."), dashboard=False
        )
    steward = access.membership.steward if access.membership else service.steward
    words = Refusal(why="", contact_name=steward.name, contact_email=steward.contact_email or "")
    name = service.application.name
    if access.code == "lapsed":
        membership = access.membership
        words.why = _(
            "Your membership with %(steward)s has lapsed, so you can't sign in to %(service)s "
            "until it is active again."
        ) % {"steward": steward.name, "service": name}
        history = latest_status_changes([membership], count=1)[membership.pk]["changes"]
        failing = [r for r in (history[0].reasons if history else []) if not r.get("ok", True)]
        words.todo = [reason_text(r) + " " + reason_advice(r) for r in failing] or [
            _("Pay your dues and accept the current terms on your membership page.")
        ]
    elif access.code == "suspended":
        words.why = _(
            "Your membership with %(steward)s is suspended, so you can't sign in to "
            "%(service)s. Contact your steward to talk about it."
        ) % {"steward": steward.name, "service": name}
    elif access.code == "pending":
        words.why = _(
            "Your membership with %(steward)s has not started yet. You can sign in to "
            "%(service)s once it is active."
        ) % {"steward": steward.name, "service": name}
    elif access.code == "ended":
        words.why = _(
            "Your membership with %(steward)s has ended, so you can no longer sign in to "
            "%(service)s. To use it again, apply for a new membership."
        ) % {"steward": steward.name, "service": name}
    else:  # none
        words.why = _(
            "%(service)s is for the members of %(steward)s, and you hold no membership with "
            "them. If you think you should, contact them."
        ) % {"steward": steward.name, "service": name}
        words.dashboard = False
    return words


def services_used(user) -> list[dict]:
    """The services ``user`` signed in to, each with its last sign-in, most recent first. One
    query."""
    rows = (
        ServiceSignIn.objects.filter(user=user)
        .values("service_id", "service__application__name", "service__steward__name")
        .annotate(last=Max("at"))
        .order_by("-last")
    )
    return [
        {
            "name": row["service__application__name"],
            "steward": row["service__steward__name"],
            "last": row["last"],
        }
        for row in rows
    ]


def introspection(token_value: str, client) -> dict:
    """The introspection answer (RFC 7662) for ``client``, an authenticated confidential
    client: active only for a live token of its own whose login is active, and naming the
    person by ``sub`` only (the identifier the service already knows), never by their email,
    which the token's scopes may not grant. Any other token is ``{"active": false}``, the
    same as one that does not exist."""
    checksum = hashlib.sha256(token_value.encode("utf-8")).hexdigest()
    token = (
        AccessToken.objects.select_related("user")
        .filter(token_checksum=checksum, application=client)
        .first()
    )
    if token is None or not token.is_valid() or (token.user and not token.user.is_active):
        return {"active": False}
    answer = {
        "active": True,
        "scope": token.scope,
        "exp": int(calendar.timegm(token.expires.utctimetuple())),
        "client_id": client.client_id,
        "token_type": "Bearer",
    }
    if token.user_id:
        sub = ServiceSubject.objects.filter(user_id=token.user_id).values_list("sub", flat=True)
        if sub:
            answer["sub"] = str(sub[0])
    return answer


# An origin as a Content-Security-Policy source: a scheme, "://" and a host with an optional
# port, nothing that could end the directive (a space, ";", ",") or start another.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]+)?")


def url_origin(url: str) -> str | None:
    """The origin of ``url`` (``https://rooms.example.org:8443``) as a Content-Security-Policy
    source, or None when it has none that can be written there."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    origin = f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2]}"
    return origin if _ORIGIN.fullmatch(origin) else None


def service_origins() -> set[str]:
    """The origins of every registered service's redirect and post-logout URIs: where the
    sign-in, consent and logout pages send the browser on after their form. One query."""
    origins = set()
    for uris in Service.objects.values_list(
        "application__redirect_uris", "application__post_logout_redirect_uris"
    ):
        for uri in " ".join(u or "" for u in uris).split():
            origin = url_origin(uri)
            if origin:
                origins.add(origin)
    return origins
