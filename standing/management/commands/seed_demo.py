from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from standing.demo.base import ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_PASSWORD

# Each app adds its demo data after the ones it builds on. Each seeder is idempotent.
SEEDERS = [
    "standing.demo.base.seed",
    "standing.demo.resellers.seed",
    "standing.demo.governance.seed",
    "standing.demo.contributions.seed",
    "standing.demo.status.seed",
]


class Command(BaseCommand):
    help = "Fill the database with a realistic demo co-op. Running it again changes nothing."

    def handle(self, *args, **options):
        today = timezone.localdate()
        with transaction.atomic():
            for path in SEEDERS:
                self.stdout.write(f"Seeding {path} …")
                import_string(path)(self.stdout, today)
        self.stdout.write(self.style.SUCCESS("Demo co-op ready."))
        self.stdout.write(f"  Co-op admin:    {ADMIN_EMAIL} / {ADMIN_PASSWORD}")
        self.stdout.write(f"  Steward admins: admin@<steward-slug>.example / {DEMO_PASSWORD}")
        self.stdout.write(
            f"  Members:        member01@example.org … member40@example.org / {DEMO_PASSWORD}"
        )
