"""Reads of the membership app."""

import bisect
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from meetcoop.core.dates import date_medium
from meetcoop.core.emails import email_canonical
from meetcoop.core.errors import DomainError

from .models import (
    ExchangeRate,
    Member,
    Membership,
    Policy,
    StatusChange,
    StatusNotice,
    TermsVersion,
)
from .rules import AT_RISK_DAYS


def _no_policy(day: datetime.date) -> DomainError:
    """No policy is in force on ``day``: a form that asks for a date before the first policy
    shows this message instead of failing."""
    return DomainError(
        _("No policy is in force on %(date)s.") % {"date": date_medium(day)}, code="policy_missing"
    )


def policy_in_force(*, on: datetime.date) -> Policy:
    """The policy whose ``effective_from`` is the latest one on or before ``on``."""
    policy = Policy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        raise _no_policy(on)
    return policy


def policies_by_date(dates) -> dict[datetime.date, Policy]:
    """The policy in force on each of ``dates``, in one query (for bulk jobs)."""
    policies = list(Policy.objects.order_by("effective_from"))
    return {day: policy_on(day, policies) for day in set(dates)}


def policy_from(policies: list[Policy], day: datetime.date) -> Policy | None:
    """The policy in force on ``day`` among ``policies`` (ordered by ``effective_from``)."""
    index = bisect.bisect_right([p.effective_from for p in policies], day)
    return policies[index - 1] if index else None


def policy_on(day: datetime.date, policies: list[Policy]) -> Policy:
    """The policy in force on ``day`` among ``policies``; refused when there is none."""
    chosen = policy_from(policies, day)
    if chosen is None:
        raise _no_policy(day)
    return chosen


def policy_day_expression() -> Coalesce:
    """``Membership.policy_date`` in SQL, to annotate a queryset of memberships with: the day
    whose policy binds the commitment (applied, else admitted, else created). The model
    property and this expression are the one definition of that day; change both together."""
    return Coalesce("applied_on", "admitted_on", TruncDate("created_at"), output_field=DateField())


def exchange_rate_on(*, currency: str, base: str, on: datetime.date) -> ExchangeRate | None:
    """The rate of ``currency`` in ``base`` in force on ``on``: the latest to start on or
    before that day, the latest correction of it winning. None when none is recorded."""
    return (
        ExchangeRate.objects.filter(currency=currency, base=base, effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .first()
    )


def conversion_rate(*, currency: str, base: str, on: datetime.date) -> Decimal:
    """What one unit of ``currency`` counts for in ``base`` on ``on``: 1 for the same
    currency, else the dated rate; refused, with what to do, when no rate is recorded."""
    if currency == base:
        return Decimal("1")
    rate = exchange_rate_on(currency=currency, base=base, on=on)
    if rate is None:
        raise DomainError(
            _(
                "No exchange rate from %(currency)s to %(base)s is recorded for %(date)s. "
                "A co-op admin records one under Exchange rates, or type the rate used."
            )
            % {"currency": currency, "base": base, "date": date_medium(on)},
            field="eur_rate",
            code="rate",
        )
    return rate.rate


def terms_in_force(*, at: datetime.date | datetime.datetime) -> dict[str, TermsVersion]:
    """The terms in force at ``at``: the latest version of each document published by then,
    {document: version}, Terms of Use first. ``at`` is a moment, or a day (then a version
    published at any time on that day counts). One query."""
    if isinstance(at, datetime.datetime):
        published = TermsVersion.objects.filter(published_at__lte=at)
    else:
        published = TermsVersion.objects.filter(published_at__date__lte=at)
    return terms_in_force_among(published, at=at)


def terms_in_force_among(
    versions, *, at: datetime.date | datetime.datetime
) -> dict[str, TermsVersion]:
    """``terms_in_force(at=at)`` among ``versions`` already read (any that include every
    version published by ``at``), without a query: a page that needs the terms in force at
    several moments reads the versions once."""
    current: dict[str, TermsVersion] = {}
    for version in versions:
        if isinstance(at, datetime.datetime):
            published = version.published_at <= at
        else:  # the day in the current time zone, as ``published_at__date`` reads it
            published = timezone.localdate(version.published_at) <= at
        known = current.get(version.document)
        if published and (
            known is None or (version.published_at, version.pk) > (known.published_at, known.pk)
        ):
            current[version.document] = version
    order = list(TermsVersion.Document.values)
    return dict(sorted(current.items(), key=lambda item: order.index(item[0])))


def members_of_user(user) -> QuerySet[Member]:
    """The members ``user`` acts for: a person's own member, or the organisations it is a
    contact of. The one place that reads the contact links of a login."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    return Member.objects.filter(contact_links__user=user)


def member_ids_of(user) -> set[int]:
    """The ids of ``members_of_user(user)``, read once per request (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_member_ids", None)
    if cache is None:
        cache = user._member_ids = set(members_of_user(user).values_list("pk", flat=True))
    return cache


def email_in_use(*, email: str) -> bool:
    """Whether ``email`` (any case) already belongs to someone: a login, any address of a
    login, or a member. Who owns it is the owner's business: callers only ask the owner."""
    from allauth.account.models import EmailAddress

    from meetcoop.users.models import User

    email = email_canonical(email)  # a spelling that reaches the same mailbox is the same
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
        or Member.objects.filter(email__iexact=email).exists()
    )


def email_in_use_expression(email_ref):
    """``email_in_use`` for a queryset's rows: an ``Exists`` over ``email_ref`` (an
    ``OuterRef`` to their email), to annotate a list in one query."""
    from allauth.account.models import EmailAddress
    from django.db.models import Exists

    from meetcoop.users.models import User

    return (
        Exists(User.objects.filter(email__iexact=email_ref))
        | Exists(EmailAddress.objects.filter(email__iexact=email_ref))
        | Exists(Member.objects.filter(email__iexact=email_ref))
    )


def email_is_users(*, email: str, user) -> bool:
    """Whether ``email`` is ``user``'s login email or one of its addresses."""
    from allauth.account.models import EmailAddress

    if not getattr(user, "is_authenticated", False):
        return False
    return (user.email or "").lower() == email.lower() or EmailAddress.objects.filter(
        user=user, email__iexact=email
    ).exists()


# --- at risk ---------------------------------------------------------------------------------


def warned_at_risk(
    memberships: QuerySet[Membership], *, now: datetime.datetime
) -> QuerySet[Membership]:
    """The active ones among ``memberships`` that the nightly check warned, in the last
    ``AT_RISK_DAYS`` days, that they may lapse (an at-risk notice). "At risk" as the admins
    see it: what the last checks found, read in one query, not the rules run again."""
    since = now - datetime.timedelta(days=AT_RISK_DAYS)
    warned = StatusNotice.objects.filter(
        membership=OuterRef("pk"), kind=StatusNotice.Kind.AT_RISK, created_at__gte=since
    )
    return memberships.filter(Exists(warned), status=Membership.Status.ACTIVE)


def warned_at_risk_counts_by_steward(stewards, *, now: datetime.datetime) -> dict[int, int]:
    """{steward_id: memberships ``warned_at_risk``} for ``stewards`` (a queryset or ids), in
    one query; stewards with none are absent."""
    rows = (
        warned_at_risk(Membership.objects.filter(steward__in=stewards), now=now)
        .order_by()
        .values_list("steward_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


# --- status history ---------------------------------------------------------------------------

HISTORY_NEWEST_FIRST = ("-effective_on", "-changed_at", "-id")


def status_history(membership) -> QuerySet[StatusChange]:
    """Every change of ``membership``'s status, newest first (to page through)."""
    return StatusChange.objects.filter(membership=membership).order_by(*HISTORY_NEWEST_FIRST)


def latest_status_changes(memberships, *, count: int = 5) -> dict[int, dict]:
    """The ``count`` newest changes of each of ``memberships`` and how many each has in all,
    {membership_id: {"changes": [...], "total": n}}, in one query whatever their number (a
    window numbers each membership's changes, newest first, and counts them)."""
    ids = [getattr(m, "pk", m) for m in memberships]
    result = {pk: {"changes": [], "total": 0} for pk in ids}
    if not ids:
        return result
    newest_first = [F(name.lstrip("-")).desc() for name in HISTORY_NEWEST_FIRST]
    rows = (
        StatusChange.objects.filter(membership_id__in=ids)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("membership_id")], order_by=newest_first),
            total=Window(Count("id"), partition_by=[F("membership_id")]),
        )
        .filter(position__lte=count)
        .order_by("membership_id", "position")
    )
    for change in rows:
        entry = result[change.membership_id]
        entry["changes"].append(change)
        entry["total"] = change.total
    return result


# --- the register of members ------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    """One membership in the register of members, as at a day (``member_register``)."""

    member_number: int
    kind: str
    name: str
    contact_person: str
    address: str
    country: str
    type: str
    admitted_on: datetime.date
    ceased_on: datetime.date | None
    steward: str
    status: str

    @property
    def type_label(self) -> str:
        return Membership.Type(self.type).label

    @property
    def status_label(self) -> str:
        return Membership.Status(self.status).label

    @property
    def country_name(self) -> str:
        return str(countries.name(self.country)) if self.country else ""


def register_kept_since(*, on: datetime.date, years: int) -> datetime.date:
    """The first ceasing day still in the register on ``on`` when it keeps a former member
    ``years`` years: a member who ceased on day C stays while ``on`` <= C + ``years`` years
    (29 February plus a year without one is 28 February)."""
    year = on.year - years
    if year < datetime.MINYEAR:
        return datetime.date.min
    try:
        return on.replace(year=year)
    except ValueError:  # 29 February, in a year without one: from 1 March
        return datetime.date(year, 3, 1)


def member_register(*, on: datetime.date) -> list[RegisterRow]:
    """The register of members as at ``on``, in two queries whatever the number of members.

    One row per membership (a member holding an operational and a user membership appears
    once for each) admitted on or before ``on`` (``admitted_on``: the day an application was
    approved or the Permanent Assembly adopted the admission, or the day a co-op admin added
    a user membership; a membership never admitted is not in the register). Its ceasing day
    (``ended_on``) shows only when it is on or before ``on``. A former member stays while
    ``on`` is within ``register_retention_years`` of the policy in force on ``on`` after the
    day they ceased; refused with ``DomainError`` when no policy is in force on ``on``.

    Ordered by the day admitted, then member number. The name is whatever the member row
    holds now (an erased member shows their pseudonym); the status is the one in force on
    ``on`` by the status history (``ended`` from the ceasing day; ``active`` when the history
    says nothing, as admitted)."""
    years = policy_in_force(on=on).register_retention_years
    kept_since = register_kept_since(on=on, years=years)
    status_then = (
        StatusChange.objects.filter(membership=OuterRef("pk"), effective_on__lte=on)
        .order_by(*HISTORY_NEWEST_FIRST)
        .values("new_status")[:1]
    )
    rows = (
        Membership.objects.filter(admitted_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on) | Q(ended_on__gte=kept_since))
        .annotate(status_then=Coalesce(Subquery(status_then), Value(Membership.Status.ACTIVE)))
        .order_by("admitted_on", "member_id", "type", "pk")
        .values_list(
            "member_id",
            "member__kind",
            "member__name",
            "member__organisation_name",
            "member__postal_address",
            "member__email",
            "member__country",
            "type",
            "admitted_on",
            "ended_on",
            "steward__name",
            "status_then",
        )
    )
    register = []
    for (
        member_id,
        kind,
        name,
        organisation_name,
        postal_address,
        email,
        country,
        type_,
        admitted_on,
        ended_on,
        steward,
        status,
    ) in rows:
        organisation = kind == Member.Kind.ORGANISATION and bool(organisation_name)
        ceased = ended_on if ended_on is not None and ended_on <= on else None
        register.append(
            RegisterRow(
                member_number=member_id,
                kind=kind,
                name=organisation_name if organisation else name,
                contact_person=name if organisation else "",
                address=postal_address.strip() or email,
                country=country or "",
                type=type_,
                admitted_on=admitted_on,
                ceased_on=ceased,
                steward=steward,
                status=Membership.Status.ENDED if ceased else status,
            )
        )
    return register
