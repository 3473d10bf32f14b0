"""Reads of the resellers app."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet

from meetcoop.core.roles import is_coop_admin
from membership.selectors import member_ids_of

from .models import Concern, Steward


def stewards_visible_to(user) -> QuerySet[Steward]:
    """The stewards whose rows ``user`` may see: all for a co-op admin, else those it runs."""
    if is_coop_admin(user):
        return Steward.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Steward.objects.none()
    return Steward.objects.filter(admins=user)


def undecided_counts_by_steward(stewards: QuerySet[Steward]) -> dict[int, dict[str, int]]:
    """{steward_id: {status: count}} of the applications at ``stewards`` that wait for a
    steward's decision (pending, on the waiting list), in one query. Stewards with none are
    absent."""
    from django.db.models import Count

    from .models import Application

    rows = (
        Application.objects.filter(steward__in=stewards, status__in=Application.UNDECIDED)
        .order_by()
        .values_list("steward_id", "status")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for steward_id, status, n in rows:
        counts.setdefault(steward_id, {})[status] = n
    return counts


def public_stewards() -> QuerySet[Steward]:
    """Every steward has a public page, whether it takes applications or not (that is
    ``standing.selectors.stewards.stewards_availability``)."""
    return Steward.objects.order_by("kind", "name")


# --- Issue 3: capacity, terms and pledges ------------------------------------------------------

# Memberships that hold a place at a level: approved (pending) and active ones.
HOLDING_PLACE = ("pending", "active")


def _taken_subquery():
    from django.db.models import Count, OuterRef, Subquery

    from membership.models import Membership

    taken = (
        Membership.objects.filter(
            steward=OuterRef("steward"),
            service_level=OuterRef("service_level"),
            type="user",
            status__in=HOLDING_PLACE,
        )
        .order_by()
        .values("steward")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(taken)


def offers_with_room():
    """Every offer annotated with ``taken`` (places held) and ``free`` (places left, >= 0)."""
    from django.db.models import F, IntegerField, Value
    from django.db.models.functions import Coalesce, Greatest

    from .models import StewardOffer

    return StewardOffer.objects.annotate(
        taken=Coalesce(_taken_subquery(), Value(0), output_field=IntegerField())
    ).annotate(free=Greatest(F("capacity") - F("taken"), Value(0)))


def public_stewards_with_offers():
    """The public steward list with each steward's offers and free places (two queries)."""
    from django.db.models import Prefetch

    return public_stewards().prefetch_related(
        Prefetch(
            "offers",
            queryset=offers_with_room()
            .select_related("service_level")
            .order_by("service_level__position", "service_level__code"),
            to_attr="offers_with_room",
        )
    )


def offer_free_places(*, steward, service_level) -> int | None:
    """Free places of ``service_level`` at ``steward``; None when the steward doesn't offer it."""
    offer = offers_with_room().filter(steward=steward, service_level=service_level).first()
    return None if offer is None else offer.free


def stewards_with_room(*, service_level, exclude=None) -> list:
    """Stewards taking applications that still have a free place at ``service_level``."""
    offers = (
        offers_with_room()
        .filter(service_level=service_level, free__gt=0, steward__accepting_applications=True)
        .select_related("steward")
        .order_by("steward__kind", "steward__name")
    )
    if exclude is not None:
        offers = offers.exclude(steward=exclude)
    return [offer.steward for offer in offers]


def pledge_percent(*, policy, money, hours, resources) -> Decimal:
    """How much of the commitment in ``policy`` a pledge covers, in percent.

    Cut (never rounded up) to two decimals, so 99.999 % shows and counts as 99.99 %.

    Money and resources count against the commitment in money, hours against the commitment
    in hours; they mix freely (30 hours + 125 EUR = 100 % at 500 EUR / 40 hours).
    """
    from membership.rules import progress_percent  # the one commitment formula

    return progress_percent(
        money + resources, hours, policy.commitment_money, policy.commitment_hours
    )


# --- whose email an application gives ---------------------------------------------------------

EMAIL_NEW = "new"
EMAIL_KNOWN = "known"
EMAIL_PENDING = "pending"
EMAIL_CONFIRMED = "confirmed"
EMAIL_DISOWNED = "disowned"


def applications_with_email_in_use(queryset):
    """``queryset`` of applications with ``email_in_use``: whether their email belongs to a
    login or a member now (one query for the whole list)."""
    from django.db.models import OuterRef

    from membership.selectors import email_in_use_expression

    return queryset.annotate(email_in_use=email_in_use_expression(OuterRef("email")))


def email_status_filter(status: str):
    """The ``Q`` of applications in an ``EMAIL_*`` case (on ``applications_with_email_in_use``):

    - confirmed: the email was someone's and its owner confirmed the application;
    - pending: waiting for the owner's answer; disowned: the owner said it is not theirs;
    - known: undecided, and the email is someone's: approving it will ask the owner;
    - new: everything else (an email new to the co-op when it was decided).
    """
    from django.db.models import Q

    from .models import Application

    cases = {
        EMAIL_CONFIRMED: Q(owner_confirmed_at__isnull=False),
        EMAIL_PENDING: Q(status=Application.Status.AWAITING_CONFIRMATION),
        EMAIL_DISOWNED: Q(status=Application.Status.DISOWNED),
        EMAIL_KNOWN: Q(
            owner_confirmed_at__isnull=True,
            status__in=Application.UNDECIDED,
            email_in_use=True,
        ),
    }
    if status == EMAIL_NEW:
        condition = Q()
        for case in cases.values():
            condition &= ~case
        return condition
    return cases[status]


def email_status(application) -> str:
    """The ``EMAIL_*`` case of one application (annotated by ``applications_with_email_in_use``
    for the known case)."""
    from .models import Application

    if application.owner_confirmed_at is not None:
        return EMAIL_CONFIRMED
    if application.status == Application.Status.AWAITING_CONFIRMATION:
        return EMAIL_PENDING
    if application.status == Application.Status.DISOWNED:
        return EMAIL_DISOWNED
    if application.status in Application.UNDECIDED and getattr(application, "email_in_use", False):
        return EMAIL_KNOWN
    return EMAIL_NEW


# --- Fair Use and service concerns ------------------------------------------------------------


def may_raise_concern(user) -> bool:
    """Members raise concerns: a signed-in person who is the contact of a member."""
    return bool(member_ids_of(user))


def concerns_raised_by(user) -> QuerySet:
    """The concerns ``user`` raised (never anyone else's)."""
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none()
    return Concern.objects.filter(raised_by=user)


def concerns_about(user) -> QuerySet:
    """The concerns about ``user``: about a member it is a contact of, or about the service of
    a reseller it administers."""
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(kind=Concern.Kind.USE, member__in=member_ids_of(user))
        | Q(kind=Concern.Kind.SERVICE, steward__in=Steward.objects.filter(admins=user))
    )


def concerns_not_about(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` without the concerns about ``user`` (``concerns_about``): the party
    concerned never follows its own concern, in the admin or anywhere else, since that would
    show it who raised it and let it decide it."""
    if not getattr(user, "is_authenticated", False):
        return queryset
    return queryset.exclude(pk__in=concerns_about(user).values("pk"))


def concern_follower(user, concern) -> bool:
    """Whether ``user`` follows ``concern`` in the admin: a co-op admin (every concern), or an
    admin of the steward that serves the member concerned (its own members' concerns); never
    the party concerned (a member's contact, a reseller's admin), whatever its role."""
    if not getattr(user, "is_authenticated", False):
        return False
    if concerns_about(user).filter(pk=concern.pk).exists():
        return False
    if is_coop_admin(user):
        return True
    return bool(concern.followed_by_id and concern.followed_by.admins.filter(pk=user.pk).exists())


def concern_recipients(concern) -> list[tuple[str, str]]:
    """Who is told about a concern about them, as (email, language): the member concerned at
    its email, in its language; for a reseller's service, its active admins, each in their own
    language (its contact email, in its first language, when it has no admin). Empty when the
    email given for a member belongs to no member."""
    if concern.kind == concern.Kind.USE:
        if concern.member_id is None:
            return []
        return [(concern.member.email, concern.member.language)]
    steward = concern.steward
    admins = [
        (admin.email, admin.language or settings.LANGUAGE_CODE)
        for admin in steward.admins.filter(is_active=True).order_by("pk")
    ]
    if admins:
        return admins
    if steward.contact_email:
        return [(steward.contact_email, (steward.languages or [settings.LANGUAGE_CODE])[0])]
    return []
