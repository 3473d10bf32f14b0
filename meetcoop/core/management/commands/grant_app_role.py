from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from meetcoop.core.dbroles import app_role_grant
from meetcoop.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "PostgreSQL: give the application's role exactly SELECT, INSERT, UPDATE and DELETE on "
        "every table and USAGE on every sequence (nothing else: no TRUNCATE, no ownership). "
        "Run by the owner after migrating (manage.py migrate does it when "
        "MIGRATE_DATABASE_URL is set). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role the application connects as.")

    def handle(self, *args, role, **options):
        try:
            granted = app_role_grant(role=role)
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "%(role)s may read and write the rows of %(tables)s tables and use "
                        "%(sequences)s sequences in schema %(schema)s; nothing more."
                    )
                    % granted
                )
            )
