"""One way to page a list that grows: Django's Paginator, the page number from the query
string, and the ``pagination.html`` partial with accessible previous and next links. The links
keep the page's other query parameters (a filter, the page of another list on the page)."""

from django.core.paginator import Page, Paginator


def paginate(request, items, *, per_page: int = 25, param: str = "page") -> Page:
    """The page of ``items`` (an ordered queryset, or a list) that ``?<param>=`` asks for: the
    last page for a number past the end, the first for anything that is not a number. A page
    of a queryset costs two queries (the count and the rows), whatever the list's length.

    The page carries ``previous_query`` and ``next_query``: the query strings of its
    neighbours ("" when there is none), for ``pagination.html``."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))

    def query(number: int) -> str:
        params = request.GET.copy()
        params[param] = str(number)
        return "?" + params.urlencode()

    page.previous_query = query(page.previous_page_number()) if page.has_previous() else ""
    page.next_query = query(page.next_page_number()) if page.has_next() else ""
    return page
