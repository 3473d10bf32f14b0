from django.core.management.base import BaseCommand, CommandError

from meetcoop.core.errors import DomainError
from meetcoop.users.models import User
from resellers.models import Steward
from standing.models import Service
from standing.oidc.services import service_register
from standing.oidc.values import greenlight_values


class Command(BaseCommand):
    help = (
        "Register a service (a Greenlight, or another application) that signs a steward's "
        "members in, and print the four values for Greenlight's .env. The client secret is "
        "printed only now: only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--steward", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--redirect-uri",
            required=True,
            action="append",
            dest="redirect_uris",
            metavar="URI",
            help="Exactly as the service sends it (repeat for several); for a Greenlight: "
            "https://<greenlight>/auth/openid_connect/callback",
        )
        parser.add_argument(
            "--own",
            action="store_true",
            help="The co-op's own service: people are signed in without a consent page "
            "(only for the co-op steward).",
        )
        parser.add_argument(
            "--kind", choices=[k for k, _label in Service.Kind.choices], default="greenlight"
        )
        parser.add_argument(
            "--public", action="store_true", help="A public client: no secret, PKCE required."
        )
        parser.add_argument(
            "--by", metavar="EMAIL", help="Who registers it (recorded and audited)."
        )

    def handle(self, *args, steward, name, redirect_uris, own, kind, public, by, **options):
        found = Steward.objects.filter(slug=steward).first()
        if found is None:
            raise CommandError(f"No steward has the slug {steward!r}.")
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(f"No login has the email {by!r}.")
        try:
            registered = service_register(
                steward=found,
                name=name,
                redirect_uris=redirect_uris,
                kind=kind,
                own_service=own,
                public=public,
                actor=actor,
            )
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error
        for key, value in greenlight_values(None, registered):
            self.stdout.write(f"{key}={value}")
