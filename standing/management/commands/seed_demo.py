from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from governance.models import CircleRole
from governance.selectors import seats_on
from resellers.models import Steward
from standing.demo.base import ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_PASSWORD
from standing.demo.contributions import TREASURER_EMAIL
from standing.demo.mail import emails_kept

# Each app adds its demo data after the ones it builds on. Each seeder is idempotent.
SEEDERS = [
    "standing.demo.base.seed",
    "standing.demo.resellers.seed",
    "standing.demo.governance.seed",
    "standing.demo.contributions.seed",
    "standing.demo.status.seed",
    "standing.demo.translations.seed",
]


class Command(BaseCommand):
    help = (
        "Fill the database with a realistic demo co-op. Running it again changes nothing. "
        "The emails the demo's decisions would send are kept, not sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--emails-to",
            metavar="DIR",
            help="write the demo's emails to DIR, one .eml file each (default: memory only)",
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        folder = options.get("emails_to")
        with emails_kept(folder) as kept:
            with transaction.atomic():
                for path in SEEDERS:
                    self.stdout.write(f"Seeding {path} …")
                    import_string(path)(self.stdout, today)
            # The emails go after the commit (transaction.on_commit), still inside this block.
            count = len(kept)
        self.stdout.write(self.style.SUCCESS("Demo co-op ready."))
        where = f"written to {folder}" if folder else "kept in memory (--emails-to DIR keeps them)"
        self.stdout.write(f"  {count} emails the demo would have sent: not sent, {where}.")
        self.write_accounts(today)

    def write_accounts(self, today):
        """The accounts to sign in with, read from the database: exact emails, not patterns."""
        admins = sorted(
            Steward.objects.filter(admins__isnull=False).values_list("admins__email", flat=True)
        )
        circles: dict[str, list[str]] = {}
        for email, circle in (
            CircleRole.objects.filter(seats_on(today), role=CircleRole.Role.COORDINATOR)
            .values_list("member__contact_links__user__email", "circle__name")
            .order_by("member__email", "circle__name")
        ):
            if email:
                circles.setdefault(email, []).append(circle)
        self.stdout.write("Sign in at /accounts/login/ as:")
        rows = [
            ("co-op admin", f"{ADMIN_EMAIL} / {ADMIN_PASSWORD}"),
            ("treasurer", f"{TREASURER_EMAIL} / {DEMO_PASSWORD}"),
            ("steward admins", f"{', '.join(admins)} / {DEMO_PASSWORD}"),
            (
                "coordinators",
                ", ".join(f"{email} ({', '.join(names)})" for email, names in circles.items())
                + f" / {DEMO_PASSWORD}",
            ),
            ("members", f"member01@example.org … member40@example.org / {DEMO_PASSWORD}"),
        ]
        for who, accounts in rows:
            self.stdout.write(f"  {who + ':':<16}{accounts}")
