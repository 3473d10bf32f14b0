import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contributions.models import DuesPayment, LedgerEntry, RevenueReport
from contributions.selectors import commitment_progress_for, resellers_standing_for
from meetcoop.users.models import User
from membership.models import Membership
from resellers.models import Steward

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_fills_every_contributions_page(client, demo):
    assert LedgerEntry.objects.filter(status="pending", kind="labour").exists()
    assert LedgerEntry.objects.filter(reverses__isnull=False).exists()
    assert DuesPayment.objects.exists() and RevenueReport.objects.exists()
    pages = {
        "member01@example.org": ["contributions:my_ledger", "contributions:coordinate"],
        "member03@example.org": ["contributions:coordinate"],
        "treasurer@meet.coop.example": ["contributions:treasury", "contributions:export_page"],
    }
    for email, names in pages.items():
        client.force_login(User.objects.get(email=email))
        for name in names:
            response = client.get(reverse(name))
            assert response.status_code == 200, (email, name)
    client.force_login(User.objects.get(email="member01@example.org"))
    queue = client.get(reverse("contributions:coordinate")).context["queue"]
    assert queue  # pending hours wait for member01's decision


def test_demo_progress_and_standing_vary(demo):
    progress = commitment_progress_for(Membership.objects.filter(type="operational"))
    values = set(progress.values())
    assert len(values) > 3
    assert max(values) >= 100
    standing = resellers_standing_for(Steward.objects.all(), on=timezone.localdate())
    assert any(s.missing_quarters or s.unpaid_quarters for s in standing.values())
