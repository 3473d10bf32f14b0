"""Pages of the contributions app: thin, they parse input and call one service."""

import contextlib
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from governance.models import Circle, WagedRole
from governance.selectors import circles_coordinated_by, roles_held_by
from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.exports import csv_cell, csv_lines
from meetcoop.core.forms import add_service_error
from meetcoop.core.pagination import paginate
from meetcoop.core.roles import is_treasurer
from meetcoop.core.submissions import submitted_once
from membership.models import Member, Membership
from membership.selectors import member_ids_of, members_of_user, policy_in_force

from . import selectors, services
from .forms import (
    BatchLabourForm,
    DecisionForm,
    LedgerFilter,
    MoneyForm,
    ResourceForm,
    ReverseForm,
    SelfReportForm,
)
from .models import LedgerEntry

# --- a member's own ledger --------------------------------------------------------------------


@login_required
@submitted_once
def my_ledger(request):
    today = timezone.localdate()
    members = list(members_of_user(request.user).order_by("name"))
    member = None
    if members:
        wanted = request.GET.get("member") or request.POST.get("member")
        member = next((m for m in members if str(m.pk) == wanted), members[0])
    # Every circle it has sat in: hours are reported for the day worked, also once the seat
    # has ended (the service checks the seat on that day).
    circles = selectors.circles_sat_in([member.pk] if member else [], on=today)
    # The waged roles the member holds (one query), offered on the form to report hours in.
    held = roles_held_by(member, on=today) if member else []
    roles = WagedRole.objects.filter(pk__in=held) if held else None
    form = SelfReportForm(
        request.POST if request.method == "POST" else None,
        circles=circles,
        roles=roles,
        initial={"worked_on": today},
    )
    if request.method == "POST":
        if member is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.labour_log(
                    member=member,
                    circle=form.cleaned_data["circle"],
                    hours=form.cleaned_data["hours"],
                    worked_on=form.cleaned_data["worked_on"],
                    description=form.cleaned_data["description"],
                    actor=request.user,
                    on=today,
                    waged_role=form.cleaned_data.get("waged_role"),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your hours were sent for approval."))
                return redirect(f"{reverse('contributions:my_ledger')}?member={member.pk}")
    progress = None
    policy_missing = False
    entries = []
    pending = []
    page = None
    if member is not None:
        operational = (
            Membership.objects.filter(member=member, type=Membership.Type.OPERATIONAL)
            .exclude(status=Membership.Status.ENDED)
            .first()
        )
        if operational is not None:
            try:
                progress = selectors.commitment_progress(operational)
            except DomainError:
                policy_missing = True
        own = LedgerEntry.objects.filter(member=member).select_related(
            "circle", "logged_by", "decided_by", "reverses"
        )
        pending = list(
            own.filter(status=LedgerEntry.Status.PENDING).order_by("-occurred_on", "-id")
        )
        page = paginate(request, own.order_by("-occurred_on", "-id"))
        entries = list(page)
    owed = selectors.compensation_balances([member.pk]).get(member.pk, []) if member else []
    return render(
        request,
        "contributions/my_ledger.html",
        {
            "owed": owed,
            "members": members,
            "member": member,
            "progress": progress,
            "policy_missing": policy_missing,
            "pending": pending,
            "entries": entries,
            "page_obj": page,
            "form": form,
            "has_circles": circles.exists() if member else False,
            "is_treasurer": is_treasurer(request.user),
            "coordinates": circles_coordinated_by(request.user, on=today).exists(),
        },
    )


# --- coordinators -----------------------------------------------------------------------------

#: How far back the coordinate page lists the members who sat in the circle, to log hours
#: worked while they did (the service checks each member's seat on the day worked).
RECENT_SEAT_DAYS = 365


def _plural_count(hours) -> int:
    """The number ngettext chooses the plural form by: whole hours as they are, a fraction
    as plural ("1.5 hours")."""
    return int(hours) if hours == int(hours) else 2


def _logged_message(logged, *, own: set[int]) -> str:
    """What happened after a coordinator logs hours, as the rule has it: a coordinator of the
    circle who is not the member credited approves each entry, so the coordinator who logged
    them may approve the others' and another coordinator approves their own."""
    mine = sum(1 for entry in logged if entry.member_id in own)
    others = len(logged) - mine
    parts = [
        ngettext(
            "%(count)d entry logged; it waits for approval below.",
            "%(count)d entries logged; they wait for approval below.",
            len(logged),
        )
        % {"count": len(logged)}
    ]
    if others:
        parts.append(
            ngettext(
                "You, or any other coordinator of the circle, may approve the entry for "
                "another member.",
                "You, or any other coordinator of the circle, may approve the %(count)d "
                "entries for other members.",
                others,
            )
            % {"count": others}
        )
    if mine:
        parts.append(
            ngettext(
                "The entry that credits you is approved by another coordinator of the circle: "
                "nobody approves their own hours.",
                "The %(count)d entries that credit you are approved by another coordinator of "
                "the circle: nobody approves their own hours.",
                mine,
            )
            % {"count": mine}
        )
    return " ".join(parts)


def decision_message(entry: LedgerEntry, *, approved: bool) -> str:
    """A decision said in words: what was approved or rejected, for whom."""
    member = entry.member.display_name
    if entry.kind == LedgerEntry.Kind.LABOUR:
        hours = floatformat(entry.hours, "-2")
        n = _plural_count(entry.hours)
        if approved:
            text = ngettext(
                "Approved %(hours)s hour for %(member)s.",
                "Approved %(hours)s hours for %(member)s.",
                n,
            )
        else:
            text = ngettext(
                "Rejected %(hours)s hour for %(member)s.",
                "Rejected %(hours)s hours for %(member)s.",
                n,
            )
        return text % {"hours": hours, "member": member}
    if entry.kind == LedgerEntry.Kind.MONEY:
        text = (
            _("Approved %(amount)s %(currency)s received from %(member)s.")
            if approved
            else _("Rejected %(amount)s %(currency)s recorded for %(member)s.")
        )
        return text % {"amount": entry.amount, "currency": entry.currency, "member": member}
    text = (
        _("Approved the resource from %(member)s, worth %(value)s EUR.")
        if approved
        else _("Rejected the resource recorded for %(member)s, worth %(value)s EUR.")
    )
    return text % {"member": member, "value": entry.eur_value}


@login_required
@submitted_once
def coordinate(request):
    today = timezone.localdate()
    circles = list(circles_coordinated_by(request.user, on=today).order_by("name"))
    if not circles:
        raise PermissionDenied(_("You coordinate no circle today."))
    wanted = request.GET.get("circle") or request.POST.get("circle")
    circle = next((c for c in circles if str(c.pk) == wanted), None) if wanted else circles[0]
    if circle is None:
        raise Http404(_("You don't coordinate this circle today."))
    # Hours are logged after the work, also once a seat has ended: everyone seated lately is
    # listed, and the service checks each member's seat on the day worked.
    members = selectors.members_seated_during(
        circle, first=today - datetime.timedelta(days=RECENT_SEAT_DAYS), last=today
    )
    form = BatchLabourForm(
        request.POST if request.method == "POST" else None,
        members=members,
        initial={"worked_on": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            logged = services.labour_log_many(
                circle=circle,
                worked_on=form.cleaned_data["worked_on"],
                description=form.cleaned_data["description"],
                hours_by_member=form.cleaned_data["hours_by_member"],
                actor=request.user,
                on=today,
                paid_work=form.cleaned_data.get("paid_work", False),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _logged_message(logged, own=member_ids_of(request.user)))
            return redirect(f"{reverse('contributions:coordinate')}?circle={circle.pk}")
    own = member_ids_of(request.user)
    page = paginate(request, selectors.pending_labour_queue(request.user, on=today), per_page=50)
    queue = list(page)
    return render(
        request,
        "contributions/coordinate.html",
        {
            "circles": circles,
            "circle": circle,
            "form": form,
            "recent_days": RECENT_SEAT_DAYS,
            "queue": [(e, e.member_id in own) for e in queue],
            "page_obj": page,
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def decide(request, pk):
    today = timezone.localdate()
    entry = get_object_or_404(selectors.entries_visible_to(request.user, on=today), pk=pk)
    form = DecisionForm(request.POST)
    fallback = (
        reverse("contributions:coordinate")
        if entry.kind == LedgerEntry.Kind.LABOUR
        else reverse("contributions:treasury")
    )
    target = request.POST.get("next") or fallback
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = fallback
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return HttpResponseRedirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    service = services.entry_approve if approve else services.entry_reject
    try:
        service(entry=entry, actor=request.user, note=form.cleaned_data["note"], on=today)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, decision_message(entry, approved=approve))
    return HttpResponseRedirect(target)


@login_required
def reverse_entry(request, pk):
    today = timezone.localdate()
    entry = get_object_or_404(selectors.entries_visible_to(request.user, on=today), pk=pk)
    if not selectors.may_decide(request.user, entry, on=today):
        raise PermissionDenied(_("You may not reverse this entry."))
    form = ReverseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reverse(
                entry=entry, reason=form.cleaned_data["reason"], actor=request.user, on=today
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Entry #%(id)s reversed.") % {"id": entry.pk})
            return redirect("contributions:export_page")
    return render(request, "contributions/reverse.html", {"entry": entry, "form": form})


# --- treasurers -------------------------------------------------------------------------------


@login_required
@submitted_once
def treasury(request):
    if not is_treasurer(request.user):
        raise PermissionDenied(_("Only treasurers record money and resources."))
    today = timezone.localdate()
    which = request.POST.get("form")
    initial = {"received_on": today}
    # Money comes in the co-op's currency (the policy's) unless the treasurer picks another;
    # with no policy yet the field keeps its own default and recording is refused anyway.
    with contextlib.suppress(DomainError):
        initial["currency"] = policy_in_force(on=today).currency
    money_form = MoneyForm(
        request.POST if which == "money" else None, initial=initial, prefix="money"
    )
    resource_form = ResourceForm(
        request.POST if which == "resource" else None,
        initial={"given_on": today},
        prefix="resource",
    )
    if which == "money" and money_form.is_valid():
        data = money_form.cleaned_data
        try:
            services.money_record(
                member=data["member"],
                amount=data["amount"],
                currency=data["currency"],
                eur_rate=data["eur_rate"],
                received_on=data["received_on"],
                description=data["description"],
                actor=request.user,
                on=today,
            )
        except ValidationError as exc:
            add_service_error(money_form, exc)
        else:
            messages.success(request, _("Money recorded; approve it in the queue below."))
            return redirect("contributions:treasury")
    if which == "resource" and resource_form.is_valid():
        data = resource_form.cleaned_data
        try:
            services.resource_record(
                member=data["member"],
                description=data["description"],
                eur_value=data["eur_value"],
                given_on=data["given_on"],
                actor=request.user,
                on=today,
            )
        except ValidationError as exc:
            add_service_error(resource_form, exc)
        else:
            messages.success(request, _("Resource recorded; approve it in the queue below."))
            return redirect("contributions:treasury")
    own = member_ids_of(request.user)
    page = paginate(request, selectors.pending_money_queue(), per_page=50)
    queue = list(page)
    recent = list(
        LedgerEntry.objects.filter(kind__in=[LedgerEntry.Kind.MONEY, LedgerEntry.Kind.RESOURCE])
        .exclude(status=LedgerEntry.Status.PENDING)
        .select_related("member", "decided_by", "reverses")
        .order_by("-decided_at", "-id")[:20]
    )
    return render(
        request,
        "contributions/treasury.html",
        {
            "money_form": money_form,
            "resource_form": resource_form,
            "queue": [(e, e.member_id in own) for e in queue],
            "page_obj": page,
            "recent": recent,
            "decision_form": DecisionForm(),
            "owed_total": selectors.compensation_outstanding_total(),
        },
    )


# --- export -----------------------------------------------------------------------------------


def _filterset(request, today):
    visible = selectors.entries_visible_to(request.user, on=today)
    if is_treasurer(request.user):
        members = Member.objects.filter(ledger_entries__isnull=False).distinct().order_by("name")
        circles = Circle.objects.order_by("name")
    else:
        coordinated = circles_coordinated_by(request.user, on=today)
        members = (
            Member.objects.filter(
                Q(pk__in=members_of_user(request.user))
                | Q(ledger_entries__kind="labour", ledger_entries__circle__in=coordinated)
            )
            .distinct()
            .order_by("name")
        )
        circles = Circle.objects.filter(
            Q(pk__in=coordinated.values("pk"))
            | Q(ledger_entries__member__in=members_of_user(request.user))
        ).distinct()
    return LedgerFilter(request.GET or None, queryset=visible, members=members, circles=circles)


@login_required
def export_page(request):
    today = timezone.localdate()
    filterset = _filterset(request, today)
    page = paginate(request, filterset.qs.order_by("-occurred_on", "-id"), per_page=50)
    entries = list(page)
    approved = [e for e in entries if e.status == LedgerEntry.Status.APPROVED and not e.is_reversal]
    may_reverse = selectors.decidable_ids(request.user, approved, on=today)
    return render(
        request,
        "contributions/export.html",
        {"filter": filterset, "entries": entries, "page_obj": page, "may_reverse": may_reverse},
    )


CSV_HEADER = [
    "id",
    "date",
    "member_id",
    "member",
    "kind",
    "status",
    "circle",
    "hours",
    "amount",
    "currency",
    "eur_rate",
    "eur_value",
    "description",
    "logged_by",
    "logged_at",
    "decided_by",
    "decided_at",
    "reverses",
    "reason",
]


@login_required
def export_csv(request):
    today = timezone.localdate()
    filterset = _filterset(request, today)
    if filterset.is_bound and not filterset.is_valid():
        return render(
            request,
            "contributions/export.html",
            {"filter": filterset, "entries": [], "may_reverse": set()},
            status=400,
        )
    rows = filterset.qs.order_by("occurred_on", "id")
    # Members' contributions leave the platform: who took which, and when, is audited (the
    # filter as asked and the number of rows; the rows themselves are in the ledger).
    audit_log(
        actor=request.user,
        action="contributions.ledger.exported",
        data={"filter": dict(request.GET.lists()), "rows": rows.count()},
    )

    # Who logged and who decided: a treasurer sees their addresses; anyone else sees a
    # colleague's name, and an address only when it is their own.
    addresses = is_treasurer(request.user)

    def who(user):
        if user is None:
            return ""
        return user.email if addresses or user.pk == request.user.pk else user.name

    def line(e):
        return [
            e.pk,
            e.occurred_on.isoformat(),
            e.member_id,
            csv_cell(e.member),
            e.kind,
            e.status,
            csv_cell(e.circle.slug if e.circle else ""),
            e.hours if e.kind == LedgerEntry.Kind.LABOUR else "",
            "" if e.amount is None else e.amount,
            e.currency,
            "" if e.eur_rate is None else e.eur_rate,
            e.eur_value if e.kind != LedgerEntry.Kind.LABOUR else "",
            csv_cell(e.description_words),
            csv_cell(who(e.logged_by)),
            e.logged_at.isoformat(),
            csv_cell(who(e.decided_by)),
            e.decided_at.isoformat() if e.decided_at else "",
            e.reverses_id or "",
            csv_cell(e.reason_words),
        ]

    lines = csv_lines(CSV_HEADER, (line(e) for e in rows.iterator(chunk_size=2000)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ledger-{today.isoformat()}.csv"'
    response["Cache-Control"] = "no-store"  # members' contributions: kept by no cache
    return response
