"""Ask the running web server for /healthz, as the container's health check does."""

import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def health_host(allowed_hosts) -> str:
    """A host name the site answers to, for the request's Host header: the first of
    ``ALLOWED_HOSTS`` (``.example.org`` stands for example.org and its subdomains), or
    ``localhost`` when only ``*`` is allowed. Asking for 127.0.0.1 would be refused with 400
    (DisallowedHost) unless an operator had allowed that address too."""
    for host in allowed_hosts:
        host = host.strip()
        if host and host != "*":
            return host.lstrip(".")
    return "localhost"


class Command(BaseCommand):
    help = "Exit 0 when the web server's /healthz answers 200, else 1 (the container health check)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/healthz")
        parser.add_argument("--timeout", type=float, default=4.0)

    def handle(self, *args, url, timeout, **options):
        if not url.startswith(("http://", "https://")):
            raise CommandError(_("The health check URL must start with http:// or https://."))
        host = health_host(settings.ALLOWED_HOSTS)
        request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 (checked)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked)
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise CommandError(
                _("The server answered %(status)s: %(body)s")
                % {"status": exc.code, "body": exc.read().decode("utf-8", "replace")[:500]}
            ) from exc
        except OSError as exc:
            raise CommandError(_("The server did not answer: %(error)s") % {"error": exc}) from exc
        self.stdout.write(body)
