"""``manage.py import_statement FILE [--steward SLUG] [--dry-run] [--mapping NAME]``: import a
bank statement delivered by SFTP and record the payments it matches, as the system."""

import datetime
import pathlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions import services
from contributions.models import BankCsvMapping
from contributions.selectors import statements as sel
from contributions.statements import MAX_BYTES
from meetcoop.core.money import format_money
from resellers.models import Steward


class _DryRun(Exception):
    """Rolls back everything a dry run wrote."""


class Command(BaseCommand):
    help = (
        "Import a bank statement (CAMT.053 or a bank's CSV) and record the payments it "
        "matches by RF reference or by amount and name. Importing the same file or entries "
        "again records nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The statement file.")
        parser.add_argument(
            "--steward",
            metavar="SLUG",
            help="The steward whose account it is (default: the co-op's).",
        )
        parser.add_argument(
            "--mapping", metavar="NAME", help="For a CSV file: the name of the bank's mapping."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the matches; record nothing."
        )

    def handle(self, *args, file, steward=None, mapping=None, dry_run=False, **options):
        path = pathlib.Path(file)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(
                _("Can't read %(file)s: %(error)s") % {"file": file, "error": exc.strerror or exc}
            ) from None
        owner = None
        if steward:
            owner = Steward.objects.filter(slug=steward).first()
            if owner is None:
                raise CommandError(_("No steward with the slug %(slug)s.") % {"slug": steward})
        chosen = None
        if mapping:
            chosen = BankCsvMapping.objects.filter(steward=owner, name=mapping).first()
            if chosen is None:
                raise CommandError(
                    _("No CSV mapping named %(name)s for this account.") % {"name": mapping}
                )
        today = timezone.localdate()
        try:
            with transaction.atomic():
                statement, created = services.statement_import(
                    data=data, file_name=path.name, actor=None, steward=owner, mapping=chosen
                )
                matches, _candidates = sel.statement_matches(statement, user=None, on=today)
                if not created:
                    self.stdout.write(
                        _("This file was already imported on %(date)s; nothing new in it.")
                        % {"date": statement.imported_at.date()}
                    )
                for match in matches:
                    self._print(match)
                if dry_run:
                    raise _DryRun
                choices = {m.line.pk: m.candidate.key for m in matches if m.candidate}
                result = services.statement_confirm(
                    statement=statement, choices=choices, actor=None, on=today
                )
        except _DryRun:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was recorded.")))
            return
        except (ValidationError, PermissionDenied) as exc:
            message = " ".join(getattr(exc, "messages", None) or [str(exc)])
            raise CommandError(message) from None
        for line, reason in result.refused:
            self.stdout.write(
                _("Line %(number)s was not recorded: %(reason)s")
                % {"number": line.position, "reason": reason}
            )
        left = sum(1 for m in matches if m.is_open) - result.recorded
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Payments recorded: %(recorded)s. Lines left to decide on the statement's "
                    "page: %(left)s."
                )
                % {"recorded": result.recorded, "left": max(left, 0)}
            )
        )

    def _print(self, match):
        line = match.line
        amount = format_money(line.amount, line.currency)
        if not line.is_credit:
            amount = f"-{amount}"
        day = line.booked_on.isoformat() if isinstance(line.booked_on, datetime.date) else ""
        self.stdout.write(
            f"{line.position:>4} {day} {amount:>14} {line.counterparty[:40]:<40} "
            f"[{match.state}] {match.reason}"
        )
