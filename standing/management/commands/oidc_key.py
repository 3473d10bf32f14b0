from django.core.management.base import BaseCommand

from meetcoop.settings.config import rsa_private_key_pem


class Command(BaseCommand):
    help = (
        "Print a new RSA private key (PEM) that signs the ID tokens of the co-op's services. "
        "Put it in the environment as OIDC_RSA_PRIVATE_KEY (docs/services.md, key rotation)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bits", type=int, default=2048, choices=[2048, 3072, 4096])

    def handle(self, *args, bits=2048, **options):
        self.stdout.write(rsa_private_key_pem(bits).rstrip("\n"))
