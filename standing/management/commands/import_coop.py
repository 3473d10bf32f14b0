"""``manage.py import_coop FILE [FILE...] [--dry-run] [--by EMAIL]``: import the co-op's
existing records (docs/import.md). Prints the rows per kind, or every error as
``file:line: column: reason`` and exits 1; never a traceback."""

import pathlib

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetcoop.core.roles import is_coop_admin
from meetcoop.users.models import User
from standing.imports.columns import KINDS
from standing.imports.readers import MAX_BYTES
from standing.services import coop_import


class Command(BaseCommand):
    help = (
        "Import the co-op's existing records from CSV files named after their kind "
        "(members.csv, memberships.csv, ...) or XLSX workbooks with a sheet per kind. Every "
        "row is checked first; with any error nothing is written. Rows whose id an earlier "
        "import wrote are left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and print; write nothing."
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="The login of the person importing, recorded on the import and in the audit log.",
        )

    def handle(self, *args, files, dry_run=False, by=None, **options):
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(_("No login with the email %(email)s.") % {"email": by})
            if not is_coop_admin(actor):
                raise CommandError(
                    _("%(email)s is not a co-op admin: only co-op admins import.")
                    % {"email": actor.email}
                )
        contents = []
        for file in files:
            path = pathlib.Path(file)
            try:
                with path.open("rb") as handle:
                    contents.append((path.name, handle.read(MAX_BYTES + 1)))
            except OSError as exc:
                raise CommandError(
                    _("Can't read %(file)s: %(error)s")
                    % {"file": file, "error": exc.strerror or exc}
                ) from None
        try:
            result = coop_import(files=contents, actor=actor, dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                ngettext(
                    "%(count)s error: nothing was written.",
                    "%(count)s errors: nothing was written.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        for kind in KINDS:
            new, old = result.counts.get(kind, 0), result.skipped.get(kind, 0)
            if new or old:
                self.stdout.write(
                    _("%(kind)s: %(new)s new, %(old)s already imported (left unchanged).")
                    % {"kind": kind, "new": new, "old": old}
                )
        if dry_run:
            self.stdout.write(
                self.style.WARNING(_("Dry run: every row is valid; nothing was written."))
            )
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported: every row was written.")))
