import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_co_op_is(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"co-operative" in response.content
    assert b'<html lang="en">' in response.content
    assert b"static/css/site.css" in response.content


def test_healthz_checks_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "not configured"


def test_healthz_reports_an_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error")


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def _counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions",)
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first
    assert first["membership.Member"] >= 40  # 40 members, and those admitted from applications
    assert first["resellers.Steward"] == 4
    assert first["membership.ServiceLevel"] == 7


def test_seed_demo_matches_the_domain():
    from membership.models import Member, Membership
    from resellers.models import Steward

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    resellers = Steward.objects.filter(kind="reseller")
    assert any({"ca", "es"} <= set(s.languages) for s in resellers)
    assert any("CAD" in s.currencies for s in resellers)
    assert Steward.objects.filter(kind="coop").count() == 1
    types = set(Membership.objects.values_list("type", flat=True))
    assert types == {"operational", "user"}
    assert Member.objects.filter(kind="organisation").exists()
    # Reseller levels only at resellers, co-op levels only at the co-op.
    for steward in Steward.objects.prefetch_related("levels"):
        channels = {level.channel for level in steward.levels.all()}
        assert channels == ({"coop"} if steward.kind == "coop" else {"reseller"})


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_every_admin_page_loads_for_a_superuser(client, coop_admin, demo):
    client.force_login(coop_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        if model_admin.has_add_permission(changelist.wsgi_request):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, info
        first = model._default_manager.first()
        if first is not None:
            change = client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            assert change.status_code == 200, info
