"""Pages of proposals: the lists, drafting, the proposal itself, voting, opening and
re-proposing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetcoop.core.forms import add_service_error
from meetcoop.core.pagination import paginate
from meetcoop.core.roles import is_coop_admin
from meetcoop.core.submissions import submitted_once
from membership.models import Member
from membership.selectors import members_of_user

from .. import selectors, services
from ..forms import (
    ProposalForm,
    ProposalOpenForm,
    StanceForm,
)
from ..models import Circle, CircleRole, GovernanceDocument, Proposal


@login_required
def proposal_list(request):
    now = timezone.now()
    services.close_due_proposals(now=now)  # their outcomes, if no worker has recorded them yet
    past = paginate(request, selectors.past_proposals_for_user(request.user, now=now))
    return render(
        request,
        "governance/proposal_list.html",
        {
            "open": list(selectors.open_proposals_for_user(request.user, now=now)),
            "past": list(past),
            "past_page": past,
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
@submitted_once
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
        if initial["document"]:  # who decides a change to it, as the document says
            initial["electorate"], initial["circle"] = services.document_electorate(
                initial["document"]
            )
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
        # Not found, as if it did not exist: a draft, or a proposal of a circle one is not
        # in, is not told apart from a number no proposal has.
        raise Http404
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
    # The tally and each stance are the electorate's (and co-op admins'): an author outside
    # the electorate reads the text and the outcome, not who stood where.
    reads_tally = state != Proposal.Status.DRAFT and (
        bool(voters) or selectors.can_read_tally(request.user, proposal)
    )
    tally = selectors.proposal_tally(proposal) if reads_tally else None
    # Where the tally stands: the outcome the rule would give if the vote closed now.
    projection = (
        selectors.outcome_for(proposal, tally)
        if tally is not None and state == Proposal.Status.OPEN
        else None
    )
    return render(
        request,
        "governance/proposal_detail.html",
        {
            "proposal": proposal,
            "state": state,
            "now": now,
            "tally": tally,
            "projection": projection,
            "stances": selectors.proposal_stances(proposal) if reads_tally else [],
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
