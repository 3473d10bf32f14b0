"""One way to page a list that grows: Django's Paginator, the page number from ``?page=``,
and the ``pagination.html`` partial with accessible previous and next links (which keep the
page's other query parameters, such as a filter)."""

from django.core.paginator import Page, Paginator


def paginate(request, items, *, per_page: int = 25) -> Page:
    """The page of ``items`` (a queryset, ordered, or a list) that ``?page=`` asks for; the
    last page for a number past the end, the first for anything that is not a number. A page
    of a queryset costs two queries (the count and the rows), whatever its length."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
