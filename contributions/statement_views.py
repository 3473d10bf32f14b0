"""Bank statement pages: the list, the upload form, and a statement's preview where the
treasurer (or a steward's admin) assigns or skips lines and confirms. Thin: they parse the
input, check who may see the statement, and call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetcoop.core.forms import add_service_error
from meetcoop.core.pagination import paginate
from meetcoop.core.roles import is_treasurer

from . import services
from .selectors import statements as sel
from .statement_forms import StatementUploadForm
from .statements import MAX_BYTES


def _check_access(user):
    if not sel.may_import_statements(user):
        raise PermissionDenied(_("Only treasurers and stewards' admins import bank statements."))


@login_required
def statement_list(request):
    _check_access(request.user)
    statements = sel.statements_visible_to(request.user).annotate(
        open_lines=Count("lines", filter=Q(lines__is_credit=True, lines__decision__isnull=True))
    )
    page = paginate(request, statements.order_by("-imported_at", "-id"), per_page=50)
    return render(
        request,
        "contributions/statement_list.html",
        {"statements": list(page), "page_obj": page},
    )


def _last_mapping(stewards, treasurer: bool):
    """The mapping of the last CSV statement the user may see: offered first next time."""
    last = (
        sel.statements_visible_to_stewards(stewards, treasurer=treasurer)
        .filter(mapping__isnull=False)
        .order_by("-imported_at", "-id")
        .values_list("mapping_id", flat=True)
        .first()
    )
    return last


@login_required
def statement_upload(request):
    _check_access(request.user)
    treasurer = is_treasurer(request.user)
    stewards = sel.money_stewards_visible_to(request.user)
    form = StatementUploadForm(
        request.POST or None,
        request.FILES or None,
        stewards=stewards,
        treasurer=treasurer,
        initial={"mapping": _last_mapping(stewards, treasurer)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            statement, created = services.statement_upload(
                data=upload.read(MAX_BYTES + 1),
                file_name=upload.name,
                actor=request.user,
                steward=data["steward"],
                fmt=data["format"],
                mapping=data["mapping"],
                new_mapping=form.new_mapping(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if created:
                messages.success(
                    request, _("Statement imported: check the matches below, then confirm.")
                )
            else:
                messages.info(request, _("This file was already imported; here is that statement."))
            return redirect("contributions:statement_preview", pk=statement.pk)
    return render(
        request,
        "contributions/statement_upload.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _choices_from(post) -> dict:
    choices = {}
    for name, value in post.items():
        # ASCII digits only: "line-²" is a digit to ``isdigit`` but not to ``int``.
        number = name[5:]
        if name.startswith("line-") and number.isascii() and number.isdigit() and len(name) < 20:
            choices[int(number)] = value
    return choices


def _result_messages(request, result):
    if result.recorded:
        messages.success(
            request,
            ngettext("%(count)s payment recorded.", "%(count)s payments recorded.", result.recorded)
            % {"count": result.recorded},
        )
    if result.skipped:
        messages.info(
            request,
            ngettext("%(count)s line skipped.", "%(count)s lines skipped.", result.skipped)
            % {"count": result.skipped},
        )
    if result.pending:
        messages.warning(
            request,
            ngettext(
                "%(count)s pledge payment is left pending: another treasurer approves it in "
                "the treasury's queue.",
                "%(count)s pledge payments are left pending: another treasurer approves them "
                "in the treasury's queue.",
                result.pending,
            )
            % {"count": result.pending},
        )
    for line, reason in result.refused:
        messages.error(
            request,
            _("Line %(number)s was not recorded: %(reason)s")
            % {"number": line.position, "reason": reason},
        )
    if not (result.recorded or result.skipped or result.refused):
        messages.info(request, _("Nothing was chosen: nothing was recorded."))


@login_required
def statement_preview(request, pk):
    _check_access(request.user)
    statement = get_object_or_404(sel.statements_visible_to(request.user), pk=pk)
    today = timezone.localdate()
    error = ""
    if request.method == "POST":
        try:
            result = services.statement_confirm(
                statement=statement,
                choices=_choices_from(request.POST),
                actor=request.user,
                on=today,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            _result_messages(request, result)
            return redirect("contributions:statement_preview", pk=statement.pk)
    matches, candidates = sel.statement_matches(statement, user=request.user, on=today)
    options = sorted(candidates.values(), key=lambda c: (c.member_name.casefold(), c.key))
    return render(
        request,
        "contributions/statement_preview.html",
        {
            "statement": statement,
            "matches": matches,
            "options": options,
            "open_count": sum(1 for m in matches if m.is_open),
            "error": error,
        },
        status=400 if error else 200,
    )
