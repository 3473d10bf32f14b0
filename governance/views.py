"""Pages of the governance app. Each view checks who may see or do it, then calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetcoop.core.forms import add_service_error
from meetcoop.core.roles import is_coop_admin
from membership.models import Member
from membership.selectors import members_of_user

from . import selectors, services
from .forms import (
    AttendanceForm,
    MeetingForm,
    ProposalForm,
    ProposalOpenForm,
    SeatAddForm,
    SeatEndForm,
    StanceForm,
)
from .models import Circle, CircleRole, DocumentVersion, GovernanceDocument, Meeting, Proposal

# --- circles ---------------------------------------------------------------------------------


@login_required
def circle_list(request):
    today = timezone.localdate()
    return render(
        request,
        "governance/circle_list.html",
        {
            "circles": selectors.circle_list(on=today),
            "mine": set(
                selectors.circles_coordinated_by(request.user, on=today).values_list(
                    "pk", flat=True
                )
            ),
        },
    )


def _circle_page(request, circle, *, add_form=None, status=200):
    today = timezone.localdate()
    manage = selectors.can_manage_circle(request.user, circle, on=today)
    return render(
        request,
        "governance/circle_detail.html",
        {
            "circle": circle,
            "seats": selectors.circle_seats(circle, on=today),
            "past_seats": circle.roles.select_related("member")
            .filter(ended_on__lt=today)
            .order_by("-ended_on"),
            "can_manage": manage,
            "add_form": add_form or (SeatAddForm() if manage else None),
            "end_form": SeatEndForm() if manage else None,
            "meetings": circle.meetings.order_by("-held_on")[:12],
        },
        status=status,
    )


@login_required
def circle_detail(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    return _circle_page(request, circle)


@login_required
@require_POST
def circle_seat_add(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    if not selectors.can_manage_circle(request.user, circle, on=timezone.localdate()):
        raise PermissionDenied
    form = SeatAddForm(request.POST)
    if form.is_valid():
        try:
            services.circle_seat_add(circle=circle, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The seat was added."))
            return redirect("governance:circle_detail", slug=circle.slug)
    return _circle_page(request, circle, add_form=form, status=400)


@login_required
@require_POST
def circle_seat_end(request, slug, seat_pk):
    circle = get_object_or_404(Circle, slug=slug)
    if not selectors.can_manage_circle(request.user, circle, on=timezone.localdate()):
        raise PermissionDenied
    seat = get_object_or_404(CircleRole, pk=seat_pk, circle=circle)
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the last day of the seat."))
        return redirect("governance:circle_detail", slug=circle.slug)
    try:
        services.circle_seat_end(
            seat=seat, ended_on=form.cleaned_data["ended_on"], actor=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The seat was ended."))
    return redirect("governance:circle_detail", slug=circle.slug)


# --- meetings --------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    today = timezone.localdate()
    meetings = list(selectors.meetings_list()[:100])
    may_all_hands = is_coop_admin(request.user) or selectors.is_any_coordinator(
        request.user, on=today
    )
    coordinated = set(
        selectors.circles_coordinated_by(request.user, on=today).values_list("pk", flat=True)
    )
    for meeting in meetings:
        meeting.can_record = (
            may_all_hands
            if meeting.kind == Meeting.Kind.ALL_HANDS
            else is_coop_admin(request.user) or meeting.circle_id in coordinated
        )
    return render(
        request,
        "governance/meeting_list.html",
        {
            "meetings": meetings,
            "can_plan": is_coop_admin(request.user) or bool(coordinated),
        },
    )


@login_required
def meeting_create(request):
    """Co-op admins plan any meeting; a coordinator plans meetings of its own circles."""
    user = request.user
    admin = is_coop_admin(user)
    circles = (
        Circle.objects.order_by("name")
        if admin
        else selectors.circles_coordinated_by(user, on=timezone.localdate()).order_by("name")
    )
    if not admin and not circles.exists():
        raise PermissionDenied
    form = MeetingForm(request.POST or None, circles=circles, all_hands_allowed=admin)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The meeting was added."))
            return redirect("governance:meeting_list")
    return render(
        request,
        "governance/meeting_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def meeting_attendance(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("circle"), pk=pk)
    if not selectors.can_record_attendance(request.user, meeting, on=timezone.localdate()):
        raise PermissionDenied
    members = list(selectors.expected_attendees(meeting))
    present = set(meeting.attendances.values_list("member_id", flat=True))
    if request.method == "POST":
        form = AttendanceForm(request.POST, members=members)
        if form.is_valid():
            try:
                services.attendance_record(
                    meeting=meeting, member_ids=form.cleaned_data["present"], actor=request.user
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Attendance recorded."))
                return redirect("governance:meeting_list")
        status = 400
    else:
        form = AttendanceForm(members=members, initial={"present": [str(p) for p in present]})
        status = 200
    return render(
        request,
        "governance/meeting_attendance.html",
        {"meeting": meeting, "form": form, "expected": len(members)},
        status=status,
    )


# --- proposals -------------------------------------------------------------------------------


@login_required
def proposal_list(request):
    now = timezone.now()
    services.close_due_proposals(now=now)  # their outcomes, if no worker has recorded them yet
    return render(
        request,
        "governance/proposal_list.html",
        {
            "open": list(selectors.open_proposals_for_user(request.user, now=now)),
            "past": list(selectors.past_proposals_for_user(request.user, now=now)[:50]),
            "drafts": list(selectors.draft_proposals_for_user(request.user)),
            "can_propose": is_coop_admin(request.user) or selectors.has_voting_rights(request.user),
            "now": now,
        },
    )


def _proposal_circles(user):
    if is_coop_admin(user):
        return Circle.objects.order_by("name")
    today = timezone.localdate()
    seated = CircleRole.objects.filter(
        selectors.seats_on(today), member__in=members_of_user(user)
    ).values("circle_id")
    return Circle.objects.filter(pk__in=seated).order_by("name")


@login_required
def proposal_create(request):
    user = request.user
    if not (is_coop_admin(user) or selectors.has_voting_rights(user)):
        raise PermissionDenied
    circles = _proposal_circles(user)
    initial = {}
    if request.GET.get("document"):
        initial["document"] = GovernanceDocument.objects.filter(
            slug=request.GET["document"]
        ).first()
        if initial["document"] and initial["document"].current_version_id:
            initial["new_text"] = initial["document"].current_version.text
    form = ProposalForm(request.POST or None, user=user, circles=circles, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_create(actor=user, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Draft saved. Open it when it is ready."))
            return redirect("governance:proposal_detail", pk=proposal.pk)
    return render(
        request,
        "governance/proposal_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _get_visible_proposal(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related(
            "circle", "document", "document__current_version", "base_version", "author"
        ),
        pk=pk,
    )
    if not selectors.can_view_proposal(request.user, proposal):
        raise PermissionDenied
    return proposal


def _proposal_page(request, proposal, *, stance_form=None, open_form=None, status=200):
    now = timezone.now()
    state = selectors.proposal_state(proposal, now)
    voters = selectors.voters_for(proposal, request.user)
    is_manager = is_coop_admin(request.user) or (
        proposal.author_id is not None and proposal.author_id == request.user.pk
    )
    if stance_form is None and voters and state == Proposal.Status.OPEN:
        first = voters[0]
        stance_form = StanceForm(
            voters=voters,
            initial={"member": first.member_id, "stance": first.stance, "reason": first.reason},
        )
    if open_form is None and state == Proposal.Status.DRAFT and is_manager:
        open_form = ProposalOpenForm(
            initial={
                "closes_at": (now + timezone.timedelta(days=7)).replace(second=0, microsecond=0)
            }
        )
    outdated = selectors.proposal_is_outdated(proposal)
    diff = selectors.proposal_diff(proposal)
    return render(
        request,
        "governance/proposal_detail.html",
        {
            "proposal": proposal,
            "state": state,
            "now": now,
            "tally": selectors.proposal_tally(proposal) if state != Proposal.Status.DRAFT else None,
            "stances": selectors.proposal_stances(proposal)
            if state != Proposal.Status.DRAFT
            else [],
            "diff": diff if diff is None else selectors.collapse_unchanged(diff),
            "text_html": selectors.render_markdown(proposal.text),
            "voters": voters,
            "stance_form": stance_form,
            "open_form": open_form,
            "outdated": outdated,
            "can_repropose": outdated and (is_manager or selectors.has_voting_rights(request.user)),
            "awaiting_close": state == Proposal.Status.CLOSED
            and proposal.status == Proposal.Status.OPEN,
        },
        status=status,
    )


@login_required
def proposal_detail(request, pk):
    proposal = _get_visible_proposal(request, pk)
    if services.proposal_close_if_due(proposal=proposal):
        proposal = _get_visible_proposal(request, pk)  # as closed, with its outcome
    return _proposal_page(request, proposal)


@login_required
@require_POST
def proposal_vote(request, pk):
    proposal = _get_visible_proposal(request, pk)
    voters = selectors.voters_for(proposal, request.user)
    if not voters:
        raise PermissionDenied
    form = StanceForm(request.POST, voters=voters)
    if form.is_valid():
        member = Member.objects.get(pk=form.cleaned_data["member"])
        try:
            services.stance_cast(
                proposal=proposal,
                member=member,
                stance=form.cleaned_data["stance"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your stance was recorded."))
            return redirect("governance:proposal_detail", pk=proposal.pk)
    return _proposal_page(request, proposal, stance_form=form, status=400)


@login_required
@require_POST
def proposal_open(request, pk):
    proposal = _get_visible_proposal(request, pk)
    if not (is_coop_admin(request.user) or proposal.author_id == request.user.pk):
        raise PermissionDenied
    form = ProposalOpenForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_open(
                proposal=proposal, closes_at=form.cleaned_data["closes_at"], actor=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The proposal is open; its electorate has been told."))
            return redirect("governance:proposal_detail", pk=proposal.pk)
    return _proposal_page(request, proposal, open_form=form, status=400)


@login_required
@require_POST
def proposal_repropose(request, pk):
    proposal = _get_visible_proposal(request, pk)
    if not (is_coop_admin(request.user) or selectors.has_voting_rights(request.user)):
        raise PermissionDenied
    try:
        draft = services.proposal_repropose(proposal=proposal, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("governance:proposal_detail", pk=proposal.pk)
    messages.success(request, _("A new draft carries the same change against the current version."))
    return redirect("governance:proposal_detail", pk=draft.pk)


# --- documents -------------------------------------------------------------------------------


@login_required
def document_list(request):
    return render(
        request, "governance/document_list.html", {"documents": selectors.document_list()}
    )


@login_required
def document_detail(request, slug):
    document = get_object_or_404(
        GovernanceDocument.objects.select_related("current_version__proposal"), slug=slug
    )
    current = document.current_version
    pending = selectors.pending_proposals_for_document(request.user, document, now=timezone.now())
    return render(
        request,
        "governance/document_detail.html",
        {
            "document": document,
            "version": current,
            "html": selectors.render_markdown(current.text) if current else "",
            "history": selectors.document_history(document),
            "pending": pending,
            "can_propose": is_coop_admin(request.user) or selectors.has_voting_rights(request.user),
        },
    )


@login_required
def document_version(request, slug, number):
    document = get_object_or_404(GovernanceDocument, slug=slug)
    version = get_object_or_404(
        DocumentVersion.objects.select_related("proposal"), document=document, number=number
    )
    previous = document.versions.filter(number__lt=number).order_by("-number").first()
    return render(
        request,
        "governance/document_version.html",
        {
            "document": document,
            "version": version,
            "html": selectors.render_markdown(version.text),
            "diff": selectors.collapse_unchanged(
                selectors.text_diff(previous.text if previous else "", version.text)
            ),
            "previous": previous,
        },
    )
