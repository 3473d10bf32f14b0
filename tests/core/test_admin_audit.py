"""Every write the Django admin makes itself is audited, for every model, in one place (the
admin site): which fields changed with their old and new values, what was added, what was
deleted. Writes a service made are audited by the service, once."""

import datetime
import json
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from freezegun import freeze_time

from meetcoop.core.admin_audit import AdminAuditMixin, AuditedAdminSite, form_changes, json_safe
from meetcoop.core.models import AuditEntry
from membership.models import Policy, ServiceLevel
from tests.factories import MemberFactory, PolicyFactory, ServiceLevelFactory, UserFactory

pytestmark = pytest.mark.django_db

LEVELS = "/admin/membership/servicelevel/"
POLICIES = "/admin/membership/policy/"


def admin_entries(verb=None):
    entries = AuditEntry.objects.filter(action__startswith="admin.")
    return entries.filter(action__endswith=f".{verb}") if verb else entries


def level_data(level, **values):
    return {
        "code": level.code,
        # The default language's fields: the admin has one per language (modeltranslation).
        "name_en": level.name,
        "description_en": level.description,
        "channel": level.channel,
        "minimum_amount": str(level.minimum_amount),
        "currency": level.currency,
        "period": level.period,
        "position": str(level.position),
        **values,
    }


def test_the_admin_site_is_the_audited_one_and_every_admin_audits():
    assert isinstance(admin.site, AuditedAdminSite)
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AdminAuditMixin)
    ]
    assert plain == []


def test_a_change_records_the_fields_with_old_and_new_values(client, coop_admin):
    level = ServiceLevelFactory(minimum_amount=Decimal("10.00"), name="Small")
    client.force_login(coop_admin)
    response = client.post(
        f"{LEVELS}{level.pk}/change/", level_data(level, minimum_amount="12.50", name_en="Smaller")
    )
    assert response.status_code == 302
    (entry,) = admin_entries("changed")
    assert entry.action == "admin.membership.servicelevel.changed"
    assert (entry.actor, entry.object_id) == (coop_admin, str(level.pk))
    assert entry.data == {
        "fields": {
            "name_en": {"from": "Small", "to": "Smaller"},
            "minimum_amount": {"from": "10.00", "to": "12.50"},
        }
    }
    json.dumps(entry.data)  # stored as plain JSON


def test_a_save_that_changes_nothing_writes_no_entry(client, coop_admin):
    level = ServiceLevelFactory()
    client.force_login(coop_admin)
    client.post(f"{LEVELS}{level.pk}/change/", level_data(level))
    assert not admin_entries().exists()


def test_an_addition_records_what_was_set(client, coop_admin):
    client.force_login(coop_admin)
    level = ServiceLevelFactory.build(code="large", name="Large", minimum_amount=Decimal("30.00"))
    response = client.post(f"{LEVELS}add/", level_data(level))
    assert response.status_code == 302
    (entry,) = admin_entries("added")
    added = ServiceLevel.objects.get(code="large")
    assert entry.object_id == str(added.pk)
    assert entry.data["fields"]["minimum_amount"] == "30.00"
    assert entry.data["fields"]["code"] == "large"


def test_a_deletion_records_the_row_it_deleted(client, coop_admin):
    level = ServiceLevelFactory(name="Gone", minimum_amount=Decimal("7.00"))
    client.force_login(coop_admin)
    response = client.post(f"{LEVELS}{level.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ServiceLevel.objects.filter(pk=level.pk).exists()
    (entry,) = admin_entries("deleted")
    assert (entry.object_id, entry.object_repr) == (str(level.pk), f"servicelevel #{level.pk}")
    assert entry.data["fields"]["minimum_amount"] == "7.00"
    assert entry.data["fields"]["name"] == "Gone"


def test_delete_selected_records_each_row(client, coop_admin):
    levels = ServiceLevelFactory.create_batch(2)
    client.force_login(coop_admin)
    response = client.post(
        LEVELS,
        {"action": "delete_selected", "_selected_action": [lv.pk for lv in levels], "post": "yes"},
    )
    assert response.status_code == 302
    assert not ServiceLevel.objects.filter(pk__in=[lv.pk for lv in levels]).exists()
    assert sorted(e.object_id for e in admin_entries("deleted")) == sorted(
        str(lv.pk) for lv in levels
    )


def test_a_refused_deletion_leaves_no_entry(client, coop_admin):
    """The entry is written in the delete's transaction: a delete the database refuses (a
    level still used by a membership) takes its entry with it."""
    from tests.factories import MembershipFactory

    level = ServiceLevelFactory()
    MembershipFactory(service_level=level)
    client.force_login(coop_admin)
    client.post(f"{LEVELS}{level.pk}/delete/", {"post": "yes"})
    assert ServiceLevel.objects.filter(pk=level.pk).exists()
    assert not admin_entries("deleted").exists()


@freeze_time("2026-03-02 10:00:00")
def test_writes_a_service_made_are_audited_once_by_the_service(client, coop_admin):
    from tests.membership.test_admin_writes import policy_data

    PolicyFactory(effective_from=datetime.date(2020, 1, 1))
    client.force_login(coop_admin)
    assert client.post(f"{POLICIES}add/", policy_data("2026-06-01")).status_code == 302
    policy = Policy.objects.get(effective_from=datetime.date(2026, 6, 1))
    changed = client.post(
        f"{POLICIES}{policy.pk}/change/", policy_data("2026-07-01", commitment_money="700.00")
    )
    assert changed.status_code == 302
    assert client.post(f"{POLICIES}{policy.pk}/delete/", {"post": "yes"}).status_code == 302
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "membership.policy.created",
        "membership.policy.changed",
        "membership.policy.deleted",
    ]


def test_a_password_set_in_the_admin_is_never_written(client, coop_admin):
    client.force_login(coop_admin)
    response = client.post(
        "/admin/users/user/add/",
        {
            "email": "new@example.org",
            "password1": "S3cret-enough-1",
            "password2": "S3cret-enough-1",
        },
    )
    assert response.status_code == 302
    (entry,) = admin_entries("added")
    assert entry.data["fields"]["email"] == "new@example.org"
    text = json.dumps(entry.data)
    assert "S3cret" not in text and "pbkdf2" not in text and "md5$" not in text
    assert entry.data["fields"]["password1"] == "(set)"


def test_a_many_to_many_change_is_recorded_as_ids(client, coop_admin):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Readers")
    user = UserFactory(email="ann@example.org", name="Ann")
    client.force_login(coop_admin)
    response = client.post(
        f"/admin/users/user/{user.pk}/change/",
        {
            "email": user.email,
            "name": "Ann",
            "language": user.language,
            "is_active": "on",
            "groups": [group.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = admin_entries("changed")
    assert entry.data["fields"]["groups"] == {"from": [], "to": [group.pk]}


def test_values_are_made_json_safe():
    member = MemberFactory()
    assert json_safe(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert json_safe(datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC)) == (
        "2026-01-02T03:04:00Z"
    )
    assert json_safe(Decimal("12.50")) == "12.50"
    assert json_safe(member) == member.pk
    assert json_safe(type(member).objects.filter(pk=member.pk)) == [member.pk]
    assert json_safe({"a": [Decimal("1.0"), None, True]}) == {"a": ["1.0", None, True]}


def test_form_changes_give_old_and_new_values_of_a_date_and_a_decimal():
    class PolicyForm(forms.ModelForm):
        class Meta:
            model = Policy
            fields = ["effective_from", "commitment_money"]

    policy = PolicyFactory(
        effective_from=datetime.date(2026, 1, 1), commitment_money=Decimal("500.00")
    )
    form = PolicyForm(
        {"effective_from": "2026-02-01", "commitment_money": "500.00"}, instance=policy
    )
    assert form.is_valid()
    assert form_changes(form, adding=False) == {
        "effective_from": {"from": "2026-01-01", "to": "2026-02-01"}
    }
