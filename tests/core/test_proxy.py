"""Behind reverse proxies every rate limit counts the client's address, read from
X-Forwarded-For skipping exactly TRUSTED_PROXY_COUNT hops; with no proxy trusted the header is
ignored. The sign-in limits (allauth) count the same address as the application form."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.internal import httpkit
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from meetcoop.core.client_ip import client_ip
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.1"  # REMOTE_ADDR of every request that comes through the proxy
ALICE = "198.51.100.1"
BOB = "198.51.100.2"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def request(xff=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


# --- the one function ----------------------------------------------------------------------------


def test_with_no_proxy_trusted_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(xff=ALICE)) == PROXY
    assert client_ip(request(xff=f"{ALICE}, {BOB}")) == PROXY


@pytest.mark.parametrize(
    ("count", "xff", "expected"),
    [
        (1, ALICE, ALICE),  # the proxy appended the client's address
        (1, f"{BOB}, {ALICE}", ALICE),  # the client wrote BOB itself: ignored
        (1, f"  {BOB} ,{ALICE}  ", ALICE),
        (2, f"{ALICE}, 10.0.0.2", ALICE),  # the outer proxy's address comes after the client's
        (2, f"{BOB}, {ALICE}, 10.0.0.2", ALICE),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "[2001:db8::1]:4711", "2001:db8::1"),
        (1, f"{ALICE}:4711", ALICE),
    ],
)
def test_the_client_is_the_counted_hop_from_the_right(settings, count, xff, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(xff=xff)) == expected


@pytest.mark.parametrize(
    ("count", "xff"),
    [
        (1, None),  # no header: a request that did not come through the proxy
        (1, ""),
        (2, ALICE),  # shorter than the number of proxies
        (1, "not-an-address"),
        (1, f"{BOB}, unknown"),
    ],
)
def test_a_missing_short_or_garbled_header_falls_back_to_remote_addr(settings, count, xff):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(xff=xff)) == PROXY


@pytest.mark.parametrize("count", [0, 1, 2])
@pytest.mark.parametrize("xff", [ALICE, f"{BOB}, {ALICE}", f"{BOB}, {ALICE}, 10.0.0.2"])
def test_allauth_counts_the_same_address(settings, count, xff):
    """allauth asks the adapter; its own lookup (for any path that skips the adapter) follows
    the same setting and agrees wherever it answers at all."""
    settings.TRUSTED_PROXY_COUNT = count
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    req = request(xff=xff)
    assert get_adapter(req).get_client_ip(req) == client_ip(req)
    if count <= len(xff.split(",")):  # else allauth's lookup raises (next test)
        assert httpkit.get_client_ip(req) == client_ip(req)


def test_allauth_does_not_fail_on_a_short_header(settings):
    # allauth's own lookup raises ImproperlyConfigured here (a 500); the adapter falls back.
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    req = request(xff=ALICE)
    assert get_adapter(req).get_client_ip(req) == PROXY


def _settings_in_a_fresh_interpreter(**env):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "from django.utils.module_loading import import_string; "
        "print(json.dumps([settings.TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_PROXY_COUNT, "
        "import_string(settings.RATELIMIT_IP_META_KEY).__module__]))"
    )
    clean = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_COUNT"}
    clean.update(env, DJANGO_SETTINGS_MODULE="meetcoop.settings.base")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_one_environment_value_sets_every_limit():
    result = _settings_in_a_fresh_interpreter(TRUSTED_PROXY_COUNT="2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == '[2, 2, "meetcoop.core.client_ip"]'

    default = _settings_in_a_fresh_interpreter()
    assert default.stdout.strip().splitlines()[-1] == '[0, 0, "meetcoop.core.client_ip"]'

    negative = _settings_in_a_fresh_interpreter(TRUSTED_PROXY_COUNT="-1")
    assert negative.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in negative.stderr


# --- allauth's sign-in limits, two people behind one proxy ---------------------------------------


def sign_in(client, email, password, xff):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=xff,
    )


def is_refused_by_the_limit(response):
    if response.status_code == 429:
        return True
    return response.status_code == 200 and b"Too many failed login attempts" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "limits",
    [{"login": "3/m/ip"}, {"login_failed": "3/m/ip"}],
    ids=["every sign-in", "failed sign-ins"],
)
def test_one_client_exhausting_the_sign_in_limit_does_not_lock_out_another(
    client, settings, limits
):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = limits
    member = UserFactory(email="member@example.org")
    for i in range(3):
        response = sign_in(client, f"guess{i}@example.org", "wrong-password", ALICE)
        assert not is_refused_by_the_limit(response)

    # Alice is over the limit, even with the member's right password, and even when she
    # writes Bob's address into X-Forwarded-For herself (the proxy appends her real one).
    assert is_refused_by_the_limit(sign_in(client, member.email, PASSWORD, ALICE))
    assert is_refused_by_the_limit(sign_in(client, member.email, PASSWORD, f"{BOB}, {ALICE}"))
    assert "_auth_user_id" not in client.session

    # Bob, behind the same proxy, signs the member in.
    response = sign_in(client, member.email, PASSWORD, BOB)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.django_db
def test_with_no_proxy_trusted_everyone_behind_it_shares_the_sign_in_limit(client, settings):
    """The default (0) is right for a site without a proxy; behind one it is the old fault
    this setting cures: the proxy's address is everyone's."""
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip"}
    member = UserFactory(email="member@example.org")
    for i in range(3):
        sign_in(client, f"guess{i}@example.org", "wrong-password", ALICE)
    assert is_refused_by_the_limit(sign_in(client, member.email, PASSWORD, BOB))
