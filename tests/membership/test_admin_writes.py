"""Every write the membership admin makes goes through a service (audited), every action is
permission-checked, and what must be kept can't be changed or deleted there."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from freezegun import freeze_time

from contributions.models import DuesInvoice
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AuditEntry
from meetcoop.core.roles import COOP_ADMINS, ensure_role_groups
from membership.models import Membership, Policy, StatusChange, TermsAcceptance, TermsVersion
from resellers.services import application_admit, application_owner_confirm
from tests.factories import (
    ApplicationFactory,
    CoopStewardFactory,
    MemberFactory,
    MembershipFactory,
    PolicyFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

TODAY = datetime.date(2026, 3, 2)
NOW = "2026-03-02 10:00:00"
MEMBERSHIPS = "/admin/membership/membership/"
ADD_MEMBERSHIP = f"{MEMBERSHIPS}add/"
POLICIES = "/admin/membership/policy/"
TERMS = "/admin/membership/termsversion/"
ACCEPTANCES = "/admin/membership/termsacceptance/"
STATUS_ACTIONS = ["suspend_selected", "end_selected", "reinstate_selected"]


@pytest.fixture
def coop_admin_user(db):
    """A staff user in the "Co-op admins" group (every permission), not a superuser."""
    ensure_role_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=COOP_ADMINS))
    return user


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def offered_actions(client, url) -> set[str]:
    page = client.get(url)
    assert page.status_code == 200
    form = page.context.get("action_form")
    return {name for name, _label in form.fields["action"].choices} if form else set()


def run_action(client, action, memberships, reason="Because the rules say so."):
    return client.post(
        MEMBERSHIPS,
        {
            "action": action,
            "_selected_action": [m.pk for m in memberships],
            "apply": "1",
            "reason": reason,
        },
        follow=True,
    )


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


# --- actions: the change permission -----------------------------------------------------------


def test_a_view_only_steward_admin_can_neither_see_nor_run_the_status_actions(client):
    steward = StewardFactory()
    admin = StewardAdminFactory(stewards=[steward])
    assert admin.has_perm("membership.view_membership")
    assert not admin.has_perm("membership.change_membership")
    active = MembershipFactory(steward=steward)
    suspended = MembershipFactory(steward=steward, status="suspended")
    client.force_login(admin)
    listing = client.get(MEMBERSHIPS)
    assert active.member.name in listing.content.decode()  # its own steward's row: visible
    assert not offered_actions(client, MEMBERSHIPS) & {*STATUS_ACTIONS, "recompute_now"}
    audits, changes = AuditEntry.objects.count(), StatusChange.objects.count()

    for action, membership in [
        ("suspend_selected", active),
        ("end_selected", active),
        ("reinstate_selected", suspended),
    ]:
        run_action(client, action, [membership])

    active.refresh_from_db()
    suspended.refresh_from_db()
    assert (active.status, active.ended_on) == ("active", None)
    assert suspended.status == "suspended"
    assert StatusChange.objects.count() == changes
    assert AuditEntry.objects.count() == audits


def test_a_coop_admin_is_offered_the_status_actions(client, coop_admin_user):
    client.force_login(coop_admin_user)
    MembershipFactory()
    assert {*STATUS_ACTIONS, "recompute_now"} <= offered_actions(client, MEMBERSHIPS)


# --- adding a membership ------------------------------------------------------------------------


@freeze_time(NOW)
def test_a_user_membership_added_in_the_admin_is_active_with_its_invoice_and_audited(
    client, coop_admin_user
):
    member = MemberFactory()
    steward = StewardFactory()
    level = ServiceLevelFactory()
    client.force_login(coop_admin_user)
    form_page = client.get(ADD_MEMBERSHIP)
    assert form_page.status_code == 200
    assert b'name="status"' not in form_page.content  # the service decides the status
    response = client.post(
        ADD_MEMBERSHIP,
        {
            "member": member.pk,
            "type": "user",
            "steward": steward.pk,
            "service_level": level.pk,
            "applied_on": "2026-03-01",
            "status": "ended",  # not a field of the form: ignored
        },
    )
    assert response.status_code == 302, form_errors(response)
    membership = Membership.objects.get(member=member)
    assert (membership.status, membership.admitted_on, membership.ended_on) == (
        "active",
        TODAY,
        None,
    )
    invoice = DuesInvoice.objects.get(membership=membership)
    assert (invoice.period_start, invoice.amount) == (TODAY, level.minimum_amount)
    created = AuditEntry.objects.get(action="membership.membership.created")
    assert (created.actor, created.object_id) == (coop_admin_user, str(membership.pk))


@freeze_time(NOW)
def test_an_operational_membership_added_in_the_admin_waits_for_the_assembly(
    client, coop_admin_user
):
    member = MemberFactory()
    coop = CoopStewardFactory()
    client.force_login(coop_admin_user)
    response = client.post(
        ADD_MEMBERSHIP, {"member": member.pk, "type": "operational", "steward": coop.pk}
    )
    assert response.status_code == 302, form_errors(response)
    membership = Membership.objects.get(member=member)
    assert (membership.status, membership.admitted_on, membership.applied_on) == (
        "pending",
        None,
        TODAY,
    )
    assert not DuesInvoice.objects.filter(membership=membership).exists()

    # A person can't make it active: only the assembly's admission does.
    refused = run_action(client, "reinstate_selected", [membership])
    assert any("Permanent Assembly" in text for text in messages_of(refused))
    membership.refresh_from_db()
    assert membership.status == "pending"
    assert not StatusChange.objects.filter(membership=membership).exists()

    # The assembly adopts the admission of the member's application, and the member (the
    # owner of its email) confirms the application is theirs: the pending membership is the
    # one that becomes active, no second one is made.
    application = ApplicationFactory(
        operational=True, steward=coop, email=member.email, status="awaiting_assembly"
    )
    assert application_admit(application=application, actor=None, on=TODAY) is None
    application_owner_confirm(application=application, on=TODAY)
    assert application.status == "admitted"
    assert application.membership_id == membership.pk
    membership.refresh_from_db()
    assert (membership.status, membership.admitted_on) == ("active", TODAY)
    assert Membership.objects.filter(member=member).count() == 1
    assert StatusChange.objects.get(membership=membership).source == "application"


@freeze_time(NOW)
def test_an_operational_membership_applied_before_the_first_policy_is_a_form_error(
    client, coop_admin_user
):
    """Its commitment would come from no policy, and every status run would stop on it."""
    member = MemberFactory()
    client.force_login(coop_admin_user)
    response = client.post(
        ADD_MEMBERSHIP,
        {
            "member": member.pk,
            "type": "operational",
            "steward": CoopStewardFactory().pk,
            "applied_on": "2019-06-01",
        },
    )
    assert response.status_code == 200
    assert form_errors(response) == {"applied_on": ["No policy is in force on Jun 1, 2019."]}
    assert not Membership.objects.filter(member=member).exists()


@freeze_time(NOW)
def test_admission_into_a_membership_added_by_hand_binds_the_policy_of_the_application_day(
    coop_admin_user,
):
    """The application was submitted under the 500 EUR policy; the policy is raised; an admin
    adds the pending membership afterwards. Admitted, it is bound by the application's day."""
    from contributions.selectors import commitment_progress
    from membership.services import membership_add

    member = MemberFactory()
    coop = CoopStewardFactory()
    application = ApplicationFactory(
        operational=True,
        steward=coop,
        email=member.email,
        status="awaiting_assembly",
        submitted_at=datetime.datetime(2026, 2, 1, 10, tzinfo=datetime.UTC),
    )
    PolicyFactory(effective_from=datetime.date(2026, 2, 20), commitment_money=Decimal("1000.00"))
    membership = membership_add(
        member=member, type="operational", steward=coop, actor=coop_admin_user, on=TODAY
    )
    assert membership.applied_on == TODAY

    application_admit(application=application, actor=None, on=TODAY)
    application_owner_confirm(application=application, on=TODAY)

    membership.refresh_from_db()
    assert (membership.status, membership.applied_on) == ("active", datetime.date(2026, 2, 1))
    assert commitment_progress(membership).commitment_money == Decimal("500.00")
    admitted = AuditEntry.objects.get(action="membership.membership.admitted")
    assert admitted.data["applied_on"] == "2026-02-01"


@freeze_time(NOW)
def test_suspending_a_pending_operational_membership_and_reinstating_it_never_admits_it(
    coop_admin_user,
):
    """Only the Permanent Assembly's adoption makes an operational membership active: a
    suspension and a reinstatement bring it back to waiting, never past the vote."""
    from membership.services import membership_add, membership_status_set

    membership = membership_add(
        member=MemberFactory(),
        type="operational",
        steward=CoopStewardFactory(),
        actor=coop_admin_user,
    )
    membership_status_set(
        membership=membership, status="suspended", actor=coop_admin_user, note="Fair Use."
    )
    with pytest.raises(DomainError):
        membership_status_set(
            membership=membership, status="lapsed", actor=coop_admin_user, note="Lapsed."
        )
    membership_status_set(
        membership=membership, status="active", actor=coop_admin_user, note="Cleared."
    )
    membership.refresh_from_db()
    assert (membership.status, membership.admitted_on) == ("pending", None)
    assert list(
        StatusChange.objects.filter(membership=membership)
        .order_by("pk")
        .values_list("old_status", "new_status")
    ) == [("pending", "suspended"), ("suspended", "pending")]


def test_a_second_open_membership_of_the_same_type_is_a_form_error(client, coop_admin_user):
    existing = MembershipFactory()
    client.force_login(coop_admin_user)
    audits = AuditEntry.objects.count()
    response = client.post(
        ADD_MEMBERSHIP,
        {
            "member": existing.member_id,
            "type": "user",
            "steward": existing.steward_id,
            "service_level": existing.service_level_id,
        },
    )
    assert response.status_code == 200
    assert "already holds a user membership" in str(
        response.context["adminform"].form.non_field_errors()
    )
    assert Membership.objects.filter(member=existing.member).count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_user_membership_without_a_level_is_a_form_error_on_the_level(client, coop_admin_user):
    member = MemberFactory()
    client.force_login(coop_admin_user)
    response = client.post(
        ADD_MEMBERSHIP, {"member": member.pk, "type": "user", "steward": StewardFactory().pk}
    )
    assert response.status_code == 200
    assert "service_level" in form_errors(response)
    assert not Membership.objects.filter(member=member).exists()


def test_a_membership_is_not_changed_or_deleted_in_the_admin(client, coop_admin_user):
    membership = MembershipFactory()
    member_id = membership.member_id
    other_member = MemberFactory()
    client.force_login(coop_admin_user)
    url = f"{MEMBERSHIPS}{membership.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    for field in ["member", "type", "status", "steward", "service_level"]:
        assert f'name="{field}"'.encode() not in page.content
    posted = client.post(
        url,
        {
            "member": other_member.pk,
            "type": "operational",
            "status": "ended",
            "steward": membership.steward_id,
        },
    )
    assert posted.status_code == 403
    assert client.post(f"{MEMBERSHIPS}{membership.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in offered_actions(client, MEMBERSHIPS)
    membership.refresh_from_db()
    assert (membership.member_id, membership.type, membership.status) == (
        member_id,
        "user",
        "active",
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_nothing_of_a_membership_is_edited_on_its_members_page(client, coop_admin_user):
    membership = MembershipFactory()
    client.force_login(coop_admin_user)
    url = f"/admin/membership/member/{membership.member_id}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"memberships-0-id" in page.content  # the memberships are shown
    for field in ["type", "steward", "service_level", "applied_on", "admitted_on", "DELETE"]:
        assert f'name="memberships-0-{field}"'.encode() not in page.content
    assert b'name="memberships-__prefix__-type"' not in page.content  # no "add another"
    assert client.post(url.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403
    assert "delete_selected" not in offered_actions(client, "/admin/membership/member/")


# --- policies -----------------------------------------------------------------------------------


def policy_data(effective_from: str, **values) -> dict:
    return {
        "effective_from": effective_from,
        "currency": "EUR",
        "commitment_money": "600.00",
        "commitment_hours": "40",
        "commitment_deadline_days": "365",
        "attendance_minimum_percent": "50",
        "attendance_window_days": "365",
        "participation_rule": "all_hands",
        "circle_attendance_minimum_percent": "50",
        "circle_attendance_minimum_count": "0",
        "revenue_share_percent": "10",
        "revenue_report_due_days": "30",
        "dues_grace_days": "30",
        "reseller_report_grace_days": "30",
        "dues_reminder_days_before_due": "7",
        "dues_reminder_days_before_grace_end": "7",
        "register_retention_years": "10",
        "terms_acceptance_days": "30",
        "note": "",
        **values,
    }


@freeze_time(NOW)
def test_a_policy_starting_in_the_past_or_today_is_refused_on_the_form(client, coop_admin_user):
    client.force_login(coop_admin_user)
    audits = AuditEntry.objects.count()
    for day in ("2026-03-01", TODAY.isoformat()):
        response = client.post(f"{POLICIES}add/", policy_data(day))
        assert response.status_code == 200
        assert "tomorrow at the earliest" in " ".join(form_errors(response)["effective_from"])
        assert not Policy.objects.filter(effective_from=day).exists()
    assert AuditEntry.objects.count() == audits


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("name", "too_many", "most"),
    [
        ("revenue_report_due_days", "3000000", 3650),
        ("commitment_deadline_days", "3651", 3650),
        ("dues_reminder_days_before_grace_end", "2147483647", 3650),
        ("register_retention_years", "101", 100),
    ],
)
def test_a_policy_period_past_its_bound_is_refused_on_its_field(
    client, coop_admin_user, name, too_many, most
):
    """A typo in a number of days would be added to dates once the policy is in force (a
    500 on every page that computes a due date): the form refuses it, on the field."""
    client.force_login(coop_admin_user)
    response = client.post(f"{POLICIES}add/", policy_data("2026-06-01", **{name: too_many}))
    assert response.status_code == 200
    assert form_errors(response) == {name: [f"Ensure this value is less than or equal to {most}."]}
    assert f'max="{most}"' in response.content.decode()
    assert not Policy.objects.filter(effective_from=datetime.date(2026, 6, 1)).exists()
    at_most = client.post(f"{POLICIES}add/", policy_data("2026-06-01", **{name: str(most)}))
    assert at_most.status_code == 302, form_errors(at_most)


@freeze_time(NOW)
def test_a_future_policy_is_added_corrected_and_withdrawn_through_the_services(
    client, coop_admin_user
):
    client.force_login(coop_admin_user)
    added = client.post(f"{POLICIES}add/", policy_data("2026-06-01"))
    assert added.status_code == 302, form_errors(added)
    policy = Policy.objects.get(effective_from=datetime.date(2026, 6, 1))
    assert policy.created_by == coop_admin_user
    assert AuditEntry.objects.filter(action="membership.policy.created", actor=coop_admin_user)

    to_the_past = client.post(
        f"{POLICIES}{policy.pk}/change/", policy_data("2026-02-01", commitment_money="700.00")
    )
    assert to_the_past.status_code == 200
    assert "effective_from" in form_errors(to_the_past)
    policy.refresh_from_db()
    assert (policy.effective_from, str(policy.commitment_money)) == (
        datetime.date(2026, 6, 1),
        "600.00",
    )

    corrected = client.post(
        f"{POLICIES}{policy.pk}/change/", policy_data("2026-07-01", commitment_money="700.00")
    )
    assert corrected.status_code == 302, form_errors(corrected)
    policy.refresh_from_db()
    assert (policy.effective_from, str(policy.commitment_money)) == (
        datetime.date(2026, 7, 1),
        "700.00",
    )
    change = AuditEntry.objects.get(action="membership.policy.changed")
    assert change.data["to"]["commitment_money"] == "700.00"

    assert "delete_selected" not in offered_actions(client, POLICIES)
    withdrawn = client.post(f"{POLICIES}{policy.pk}/delete/", {"post": "yes"})
    assert withdrawn.status_code == 302
    assert not Policy.objects.filter(pk=policy.pk).exists()
    assert AuditEntry.objects.filter(action="membership.policy.deleted").exists()


@freeze_time(NOW)
def test_a_policy_in_force_is_neither_changed_nor_deleted(client, coop_admin_user):
    in_force = PolicyFactory(effective_from=datetime.date(2026, 3, 2))
    client.force_login(coop_admin_user)
    url = f"{POLICIES}{in_force.pk}/change/"
    assert b'name="commitment_money"' not in client.get(url).content
    changed = client.post(url, policy_data("2026-03-02", commitment_money="1.00"))
    assert changed.status_code == 403
    deleted = client.post(f"{POLICIES}{in_force.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    in_force.refresh_from_db()
    assert str(in_force.commitment_money) == "500.00"


# --- terms versions and acceptances -------------------------------------------------------------


def terms_data(**values) -> dict:
    return {
        "document": "terms_of_use",
        "version": "2.0",
        "text": "Be kind, and kinder.",
        "published_at_0": "2026-04-01",
        "published_at_1": "00:00:00",
        **values,
    }


@freeze_time(NOW)
def test_only_a_documents_first_terms_version_is_added_in_the_admin(client, coop_admin_user):
    """The terms as they were before the platform are added by hand, audited; every later
    version comes from a proposal the Permanent Assembly adopts, never from the admin."""
    client.force_login(coop_admin_user)
    response = client.post(f"{TERMS}add/", terms_data(version="1.0", published_at_0="2025-01-01"))
    assert response.status_code == 302, form_errors(response)
    version = TermsVersion.objects.get(version="1.0")
    entry = AuditEntry.objects.get(action="membership.terms_version.created")
    assert (entry.actor, entry.object_id) == (coop_admin_user, str(version.pk))

    second = client.post(f"{TERMS}add/", terms_data())
    assert second.status_code == 200
    assert "Permanent Assembly adopts" in " ".join(form_errors(second)["document"])
    assert not TermsVersion.objects.filter(version="2.0").exists()
    assert AuditEntry.objects.filter(action="membership.terms_version.created").count() == 1


@freeze_time(NOW)
def test_a_published_terms_version_is_neither_changed_nor_deleted(client, coop_admin_user):
    published = TermsVersionFactory(text="Be kind.")
    client.force_login(coop_admin_user)
    url = f"{TERMS}{published.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="text"' not in page.content
    posted = client.post(
        url,
        terms_data(
            version=published.version, text="Be kind, or else.", published_at_0="2026-04-01"
        ),
    )
    assert posted.status_code == 403
    assert client.post(f"{TERMS}{published.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in offered_actions(client, TERMS)
    published.refresh_from_db()
    assert published.text == "Be kind."


@freeze_time(NOW)
def test_a_terms_version_not_yet_published_is_corrected_through_the_service(
    client, coop_admin_user
):
    upcoming = TermsVersionFactory(
        version="3.0", published_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    )
    client.force_login(coop_admin_user)
    response = client.post(
        f"{TERMS}{upcoming.pk}/change/",
        terms_data(version="3.0", text="Be kind, typo fixed.", published_at_0="2026-05-01"),
    )
    assert response.status_code == 302, form_errors(response)
    upcoming.refresh_from_db()
    assert upcoming.text == "Be kind, typo fixed."
    assert AuditEntry.objects.filter(
        action="membership.terms_version.changed", object_id=str(upcoming.pk)
    ).exists()


def test_a_terms_acceptance_is_never_added_changed_or_deleted_in_the_admin(client, coop_admin_user):
    acceptance = TermsAcceptanceFactory()
    client.force_login(coop_admin_user)
    assert client.get(ACCEPTANCES).status_code == 200
    assert "delete_selected" not in offered_actions(client, ACCEPTANCES)
    delete_url = f"{ACCEPTANCES}{acceptance.pk}/delete/"
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        ACCEPTANCES,
        {"action": "delete_selected", "_selected_action": [acceptance.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert client.get(f"{ACCEPTANCES}add/").status_code == 403
    changed = client.post(
        f"{ACCEPTANCES}{acceptance.pk}/change/",
        {"member": MemberFactory().pk, "terms_version": acceptance.terms_version_id},
    )
    assert changed.status_code == 403
    assert TermsAcceptance.objects.filter(pk=acceptance.pk, member=acceptance.member_id).exists()
