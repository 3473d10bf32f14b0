"""Public pages: "How to become a member" (the version in force of the document designated as
the membership page) and the list of operational members who chose to be listed; and the page
where a member makes that choice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from meetcoop.core.forms import add_service_error

from .. import selectors, services
from ..forms import ListingForm
from ..models import PublicListing


@require_safe
def membership_page(request):
    document = selectors.membership_page_document()
    version = document.current_version if document else None
    return render(
        request,
        "governance/membership_page.html",
        {
            "document": document,
            "version": version,
            "html": selectors.render_markdown(version.text) if version else "",
        },
    )


@require_safe
def members_list(request):
    listings = [
        {"listing": listing, "languages": selectors.language_names(listing.languages)}
        for listing in selectors.public_listings()
    ]
    return render(request, "governance/members_list.html", {"listings": listings})


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request):
    """An operational member's choice to be listed. A login acting for several members picks
    one with ``?member=``."""
    members = selectors.listable_members_of(request.user)
    member = None
    wanted = request.POST.get("member") or request.GET.get("member")
    if members:
        member = next((m for m in members if str(m.pk) == wanted), None if wanted else members[0])
        if member is None:  # a member this login doesn't act for, or no id at all: not here
            raise Http404
    if member is None:
        return render(request, "governance/listing_form.html", {"member": None})
    listing = PublicListing.objects.filter(member=member).first()
    initial = (
        {
            "listed": listing.listed,
            "display_name": listing.display_name,
            "website": listing.website,
            "languages": listing.languages,
            "offer": listing.offer,
        }
        if listing
        else {"display_name": member.display_name}
    )
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_set(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if form.cleaned_data["listed"]:
                messages.success(request, _("You are on the public list of members."))
            else:
                messages.success(request, _("You are not on the public list of members."))
            return redirect(f"{request.path}?member={member.pk}")
    shown = selectors.listing_is_shown(listing)
    return render(
        request,
        "governance/listing_form.html",
        {"member": member, "members": members, "form": form, "listing": listing, "shown": shown},
        status=400 if request.method == "POST" else 200,
    )
