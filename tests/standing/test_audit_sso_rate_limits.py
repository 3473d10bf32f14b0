"""Audit of the endpoints that check a service's secret: each check is a password hash
(hundreds of milliseconds of CPU), and only the token endpoint had a limit, so anyone could
keep the workers busy posting wrong secrets to introspection or revocation. Both are limited
per client address as the token endpoint is."""

import pytest

from tests.factories import StewardFactory, UserFactory
from tests.standing.test_oidc_provider import register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


@pytest.mark.parametrize("url", ["/o/introspect/", "/o/revoke_token/"])
def test_the_endpoints_checking_a_secret_are_rate_limited(client, settings, url):
    settings.OIDC_TOKEN_RATE = "3/m"
    registered = register(StewardFactory(), UserFactory(is_superuser=True, is_staff=True))
    data = {
        "token": "x",
        "client_id": registered.service.application.client_id,
        "client_secret": "wrong",
    }
    answers = [client.post(url, data) for _ in range(4)]
    assert all(a.status_code != 429 for a in answers[:3])
    assert answers[3].status_code == 429
    assert answers[3].json()["error"] == "slow_down"
    assert answers[3]["Retry-After"] == "60"


def test_each_endpoint_counts_apart(client, settings):
    settings.OIDC_TOKEN_RATE = "2/m"
    for _ in range(2):
        client.post("/o/introspect/", {"token": "x"})
    assert client.post("/o/introspect/", {"token": "x"}).status_code == 429
    assert client.post("/o/revoke_token/", {"token": "x"}).status_code != 429
    assert client.post("/o/token/", {"grant_type": "authorization_code"}).status_code != 429
