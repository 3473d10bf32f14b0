"""The container's health check asks /healthz with a Host the site answers to: production
allows only its own host names, so asking for 127.0.0.1 is refused with 400."""

import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from meetcoop.core.management.commands.healthcheck import health_host


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        (["members.example.org", "www.example.org"], "members.example.org"),
        ([".example.org"], "example.org"),
        (["*"], "localhost"),
        (["", " members.example.org "], "members.example.org"),
    ],
)
def test_the_host_asked_for_is_one_the_site_answers_to(allowed, host):
    assert health_host(allowed) == host


@pytest.fixture
def production_hosts(settings):
    settings.ALLOWED_HOSTS = ["members.example.org"]


def test_the_health_check_passes_where_a_bare_request_is_refused(live_server, production_hosts):
    url = f"{live_server.url}/healthz"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 400  # the fault the health check had: DisallowedHost

    call_command("healthcheck", url=url)  # no exception: exit 0


def test_the_health_check_fails_on_any_other_answer_or_none(live_server, production_hosts):
    with pytest.raises(CommandError, match="answered 404"):
        call_command("healthcheck", url=f"{live_server.url}/no-such-page")
    with pytest.raises(CommandError, match="did not answer"):
        call_command("healthcheck", url="http://127.0.0.1:9/healthz", timeout=1)
