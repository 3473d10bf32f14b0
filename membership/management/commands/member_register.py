import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.errors import DomainError
from meetcoop.users.models import User
from membership.register import register_csv_lines
from membership.services import member_register_read


class Command(BaseCommand):
    help = (
        "Print the register of members as at a day, as CSV (for a yearly archive). "
        "Every run is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", metavar="DATE", help="The register as at this day (YYYY-MM-DD); default today."
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help=(
                "The login of the person running the command, recorded in the audit log "
                "(default: nobody, as when cron runs it)."
            ),
        )

    def handle(self, *args, on=None, by=None, **options):
        try:
            day = datetime.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as exc:
            raise CommandError(_("--on must be YYYY-MM-DD, not %(date)r.") % {"date": on}) from exc
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(_("No login with the email %(email)s.") % {"email": by})
        try:
            rows = member_register_read(on=day, format="csv", actor=actor, via="command")
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error
        for line in register_csv_lines(rows):
            self.stdout.write(line, ending="")
