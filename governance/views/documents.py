"""Pages of governance documents and their versions."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from meetcoop.core.pagination import paginate
from meetcoop.core.roles import is_coop_admin

from .. import selectors
from ..models import DocumentVersion, GovernanceDocument


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
            "history": paginate(request, selectors.document_history(document)),
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
                selectors.rendered_diff(previous.text if previous else "", version.text)
            ),
            "previous": previous,
        },
    )
