"""Audit of the token endpoint's grants: the device flow is not offered (docs/services.md), but
django-oauth-toolkit's token view still took its grant, and a request without a
``device_code`` was a 500. It is refused like any grant the provider does not offer."""

import pytest

from standing.oidc.views import DEVICE_CODE_GRANT
from tests.factories import StewardFactory, UserFactory
from tests.standing.test_oidc_provider import register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]


@pytest.mark.parametrize("device_code", [None, "", "anything"])
def test_the_device_grant_is_refused_never_a_500(client, device_code):
    registered = register(StewardFactory(), UserFactory(is_superuser=True, is_staff=True))
    data = {
        "grant_type": DEVICE_CODE_GRANT,
        "client_id": registered.service.application.client_id,
        "client_secret": registered.client_secret,
        "device_code": device_code,
    }
    response = client.post("/o/token/", {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
