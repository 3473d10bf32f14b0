"""The register of members for co-op admins (``/reports/register/``): as at a day they choose,
on a printable page, as CSV and as PDF. Every reading is audited
(``membership.services.member_register_read``)."""

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from meetcoop.core.errors import DomainError
from meetcoop.core.permissions import require
from meetcoop.core.roles import is_coop_admin
from membership.register import (
    register_columns,
    register_count,
    register_csv_lines,
    register_filename,
    register_pdf,
    register_title,
)
from membership.services import member_register_read

# Tests set this to False to read the PDF's text.
COMPRESS_PDF = True


class RegisterDateForm(forms.Form):
    on = forms.DateField(
        label=_("As at"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("The register as it stood at the end of this day (YYYY-MM-DD)."),
    )


def _read(request, format: str):
    """The form for the day asked (today when none is), and the register's rows when the day
    is a good one (else None, with the reason on the form)."""
    data = request.GET if "on" in request.GET else {"on": timezone.localdate().isoformat()}
    form = RegisterDateForm(data)
    if not form.is_valid():
        return form, None
    try:
        rows = member_register_read(on=form.cleaned_data["on"], format=format, actor=request.user)
    except DomainError as error:
        form.add_error("on", error)
        return form, None
    return form, rows


def _page(request, form, rows):
    on = form.cleaned_data["on"] if rows is not None else None
    query = urlencode({"on": on.isoformat()}) if on else ""
    return render(
        request,
        "standing/register.html",
        {
            "form": form,
            "rows": rows,
            "on": on,
            "title": register_title(on) if on else None,
            "count": register_count(len(rows)) if rows is not None else None,
            "columns": register_columns(),
            "csv_url": f"{reverse('standing:register_csv')}?{query}",
            "pdf_url": f"{reverse('standing:register_pdf')}?{query}",
        },
        status=200 if rows is not None else 400,
    )


@require(is_coop_admin)
def register_page(request):
    form, rows = _read(request, "page")
    return _page(request, form, rows)


@require(is_coop_admin)
def register_csv(request):
    form, rows = _read(request, "csv")
    if rows is None:
        return _page(request, form, None)
    on = form.cleaned_data["on"]
    response = StreamingHttpResponse(
        register_csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{register_filename(on, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


@require(is_coop_admin)
def register_pdf_view(request):
    form, rows = _read(request, "pdf")
    if rows is None:
        return _page(request, form, None)
    on = form.cleaned_data["on"]
    response = HttpResponse(
        register_pdf(rows, on=on, compress=COMPRESS_PDF), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{register_filename(on, "pdf")}"'
    response["Cache-Control"] = "no-store"
    return response
