"""Pages of governance documents and their versions. A public document is read by anyone
(its version in force and its adopted versions); any other needs a login, and a visitor is sent
to sign in as on every page that needs one."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
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


def document_detail(request, slug):
    if not request.user.is_authenticated:
        # A visitor learns nothing about a document that is not public, not even whether it
        # exists: the same redirect as before the document is looked up.
        document = GovernanceDocument.objects.filter(slug=slug, public=True).first()
        if document is None:
            return redirect_to_login(request.get_full_path())
    document = get_object_or_404(
        GovernanceDocument.objects.select_related(
            "current_version__proposal", "responsible_circle"
        ),
        slug=slug,
    )
    current = document.current_version
    signed_in = request.user.is_authenticated
    pending = (
        selectors.pending_proposals_for_document(request.user, document, now=timezone.now())
        if signed_in
        else []
    )
    return render(
        request,
        "governance/document_detail.html",
        {
            "document": document,
            "version": current,
            "html": selectors.render_markdown(current.text) if current else "",
            "history": paginate(request, selectors.document_history(document)),
            "pending": pending,
            "can_propose": signed_in
            and (is_coop_admin(request.user) or selectors.has_voting_rights(request.user)),
            "signed_in": signed_in,
        },
    )


def document_version(request, slug, number):
    if not request.user.is_authenticated and not (
        GovernanceDocument.objects.filter(slug=slug, public=True).exists()
    ):
        return redirect_to_login(request.get_full_path())
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
            "signed_in": request.user.is_authenticated,
        },
    )
