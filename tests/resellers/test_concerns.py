"""Fair Use and service concerns (issue 14, point 5): who may raise one, who sees what (by
guessing ids too), the outcomes (a suspension through the membership's own status service),
nothing deleted, the emails (once each, in the reader's language), bad input answered with a
message."""

import re
from unittest import mock

import pytest
from django.urls import reverse

from meetcoop.core.errors import DomainError
from meetcoop.core.models import AppendOnlyError, AuditEntry
from membership.models import Membership, StatusChange
from resellers.models import Concern, ConcernEntry
from resellers.services import (
    ALREADY_DECIDED,
    concern_answer,
    concern_decide,
    concern_decided_notify,
    concern_opened_notify,
    concern_raise,
)
from tests.factories import (
    ConcernFactory,
    MemberContactFactory,
    MembershipFactory,
    StewardAdminFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW = reverse("concerns:new")
LIST = reverse("concerns:list")


def detail(concern):
    return reverse("concerns:detail", args=[concern.pk])


def admin_change(concern):
    return reverse("admin:resellers_concern_change", args=[concern.pk])


@pytest.fixture
def reporter(steward):
    """A member's contact, with a user membership at the steward."""
    contact = MemberContactFactory(member__name="Rita Reporter", member__email="rita@example.org")
    MembershipFactory(member=contact.member, steward=steward)
    return contact.user


@pytest.fixture
def concerned(steward):
    """The member whose use is in question (Catalan), served by ``steward``; its login."""
    contact = MemberContactFactory(member__email="carles@example.org", member__language="ca")
    contact.membership = MembershipFactory(member=contact.member, steward=steward)
    return contact


@pytest.fixture
def use_concern(reporter, concerned):
    return concern_raise(
        user=reporter,
        kind="use",
        member_email="Carles@Example.org",
        description="Ran a 300-person webinar every day on a Small room.",
        evidence="https://logs.example/room-42",
    )


# --- who may raise ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_login_that_is_no_member_may_not_raise(client, steward):
    user = UserFactory()
    client.force_login(user)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"kind": "service", "steward": steward.pk}).status_code == 403
    with pytest.raises(DomainError, match="Only members"):
        concern_raise(user=user, kind="service", steward=steward, description="Slow.")
    assert not Concern.objects.exists()


def test_a_member_raises_a_concern_about_a_resellers_service(
    client, reporter, steward, steward_admin, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(reporter)
    assert client.get(NEW).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            {"kind": "service", "steward": steward.pk, "description": "Rooms drop every hour."},
        )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(concern)
    assert (concern.kind, concern.steward, concern.status) == ("service", steward, "open")
    assert concern.followed_by is None  # only the co-op's admins follow a reseller's service
    [entry] = concern.entries.all()
    assert (entry.kind, entry.author, entry.text) == ("opened", reporter, "Rooms drop every hour.")
    assert AuditEntry.objects.filter(action="resellers.concern.opened").count() == 1
    # The reseller's admins are told, without the reporter's name or email.
    [email] = mailoutbox
    assert email.to == [steward_admin.email]
    assert "Rita" not in email.body and reporter.email not in email.body
    assert detail(concern) in email.body


def test_a_concern_about_a_member_names_it_by_email_matched_on_the_server(
    use_concern, concerned, steward
):
    assert use_concern.member == concerned.member  # any case
    assert use_concern.followed_by == steward  # the steward that serves the member


def test_an_unknown_email_is_answered_as_a_known_one_and_kept_for_the_coop(
    client, reporter, concerned, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(reporter)
    pages = []
    for email in ["carles@example.org", "nobody@example.org"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                NEW, {"kind": "use", "member_email": email, "description": "Abuse."}, follow=True
            )
        page = response.content.decode().replace(email, "EMAIL")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    known, unknown = Concern.objects.order_by("pk")

    # The same message, the same page (but for its number): nobody learns who is a member.
    def numberless(page, pk):
        return page.replace(f"/concerns/{pk}/", "N").replace(f"Concern {pk}", "N")

    assert numberless(pages[0], known.pk) == numberless(pages[1], unknown.pk)
    assert unknown.member is None and unknown.followed_by is None
    assert [m.to for m in mailoutbox] == [["carles@example.org"]]


def test_a_member_may_not_raise_a_concern_about_itself(client, reporter):
    client.force_login(reporter)
    response = client.post(
        NEW, {"kind": "use", "member_email": "RITA@example.org", "description": "Me."}
    )
    assert response.status_code == 200
    assert "You can&#x27;t raise a concern about yourself." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "use", "description": "x"}, "Give the member&#x27;s email address."),
        ({"kind": "service", "description": "x"}, "Choose the reseller your concern is about."),
        ({"kind": "service", "steward": "999999", "description": "x"}, "Select a valid choice"),
        ({"kind": "service", "steward": "abc", "description": "x"}, "Select a valid choice"),
        ({"kind": "other", "description": "x"}, "Select a valid choice"),
        ({"kind": "use", "member_email": "not-an-email", "description": "x"}, "valid email"),
        ({"kind": "use", "member_email": "a@example.org", "description": "  "}, "required"),
        ({"kind": "use", "member_email": "a@example.org", "description": "x" * 5001}, "5000"),
    ],
)
def test_bad_input_gets_a_message_not_an_error(client, reporter, data, message):
    client.force_login(reporter)
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Concern.objects.exists()


def test_raising_is_rate_limited_per_login(client, reporter, steward, settings):
    settings.RESELLERS_CONCERN_RATE = "2/h"
    client.force_login(reporter)
    data = {"kind": "service", "steward": steward.pk, "description": "Slow."}
    assert [client.post(NEW, data).status_code for _ in range(3)] == [302, 302, 200]
    assert "many concerns in a short time" in client.post(NEW, data).content.decode()
    assert Concern.objects.count() == 2


def test_the_coop_steward_is_no_reseller_to_raise_a_service_concern_about(reporter):
    from tests.factories import CoopStewardFactory

    with pytest.raises(DomainError, match="Choose the reseller"):
        concern_raise(user=reporter, kind="service", steward=CoopStewardFactory(), description="x")


# --- who sees what ------------------------------------------------------------------------------


def test_the_reporter_sees_its_concern_and_the_outcome_not_the_answer(
    client, reporter, use_concern, concerned, coop_admin
):
    concern_answer(concern=use_concern, user=concerned.user, text="It was a one-off event.")
    concern_decide(concern=use_concern, actor=coop_admin, outcome="warning", text="Please stop.")
    client.force_login(reporter)
    page = client.get(detail(use_concern)).content.decode()
    assert "warning" in page and "Carles@Example.org" in page
    assert "It was a one-off event." not in page
    listing = client.get(LIST).content.decode()
    assert detail(use_concern) in listing and "Decided: warning" in listing


def test_the_member_concerned_reads_it_without_the_reporters_identity_and_answers(
    client, use_concern, concerned
):
    client.force_login(concerned.user)
    page = client.get(detail(use_concern)).content.decode()
    assert "300-person webinar" in page and "https://logs.example/room-42" in page
    assert "Rita" not in page and "rita@example.org" not in page
    assert detail(use_concern) in client.get(LIST).content.decode()
    response = client.post(detail(use_concern), {"text": "It was a one-off event."})
    assert response.status_code == 302
    answer = use_concern.entries.get(kind="answer")
    assert (answer.author, answer.text) == (concerned.user, "It was a one-off event.")
    assert "It was a one-off event." in client.get(detail(use_concern)).content.decode()
    # An empty answer is a message, not an error page.
    response = client.post(detail(use_concern), {"text": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_the_reporter_may_not_answer(client, reporter, use_concern):
    client.force_login(reporter)
    response = client.post(detail(use_concern), {"text": "More evidence."})
    assert response.status_code == 302
    assert not use_concern.entries.filter(kind="answer").exists()
    with pytest.raises(DomainError, match="Only the person concerned"):
        concern_answer(concern=use_concern, user=reporter, text="More evidence.")


def test_a_resellers_admin_answers_a_concern_about_its_service(
    client, reporter, steward, steward_admin
):
    concern = concern_raise(user=reporter, kind="service", steward=steward, description="Slow.")
    client.force_login(steward_admin)
    assert client.get(detail(concern)).status_code == 200
    client.post(detail(concern), {"text": "We moved to a bigger server."})
    assert concern.entries.get(kind="answer").author == steward_admin


def test_anyone_else_guessing_the_id_gets_404(client, use_concern, other_admin):
    stranger = MemberContactFactory().user
    for user in [stranger, other_admin]:
        client.force_login(user)
        assert client.get(detail(use_concern)).status_code == 404
        assert client.post(detail(use_concern), {"text": "x"}).status_code == 404
    assert client.get(reverse("concerns:detail", args=[999999])).status_code == 404


def test_in_the_admin_each_steward_sees_only_its_own_members_concerns(
    client, use_concern, steward_admin, other_admin, coop_admin, reporter, steward
):
    service = concern_raise(user=reporter, kind="service", steward=steward, description="Slow.")
    changelist = reverse("admin:resellers_concern_changelist")
    client.force_login(coop_admin)
    assert client.get(admin_change(use_concern)).status_code == 200
    assert client.get(admin_change(service)).status_code == 200
    client.force_login(steward_admin)
    assert client.get(admin_change(use_concern)).status_code == 200
    # A concern about its own service is followed by the co-op, not by the reseller.
    assert client.get(admin_change(service)).status_code == 404
    assert list(client.get(changelist).context["cl"].result_list) == [use_concern]
    client.force_login(other_admin)
    assert client.get(admin_change(use_concern)).status_code == 404
    assert list(client.get(changelist).context["cl"].result_list) == []
    with pytest.raises(DomainError, match="You don't follow this concern."):
        concern_decide(concern=use_concern, actor=other_admin, outcome="warning", text="x")


def test_the_list_page_reads_a_fixed_number_of_queries(
    client, reporter, concerned, django_assert_max_num_queries
):
    for _ in range(5):
        ConcernFactory(raised_by=reporter, raised_for=reporter.member_links.get().member)
        ConcernFactory(member=concerned.member)
    client.force_login(reporter)
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


# --- outcomes -----------------------------------------------------------------------------------


def test_a_warning_is_recorded_once_and_a_second_decision_is_refused(use_concern, coop_admin):
    concern_decide(concern=use_concern, actor=coop_admin, outcome="warning", text="Please stop.")
    use_concern.refresh_from_db()
    assert (use_concern.status, use_concern.outcome) == ("decided", "warning")
    assert use_concern.decided_by == coop_admin and use_concern.decided_at
    with pytest.raises(DomainError) as refused:
        concern_decide(concern=use_concern, actor=coop_admin, outcome="no_action", text="x")
    assert refused.value.code == ALREADY_DECIDED
    use_concern.refresh_from_db()
    assert use_concern.outcome == "warning"
    assert [e.kind for e in use_concern.entries.all()] == ["opened", "outcome"]
    with pytest.raises(DomainError, match="decided"):
        concern_answer(
            concern=use_concern, user=use_concern.member.contacts.get(), text="Too late."
        )


def test_a_suspension_goes_through_the_membership_status_service(
    use_concern, concerned, steward_admin
):
    concern_decide(
        concern=use_concern,
        actor=steward_admin,
        outcome="suspension",
        text="Your rooms hosted 300 people a day, far past the Small level's fair use.",
    )
    membership = Membership.objects.get(pk=concerned.membership.pk)
    assert membership.status == "suspended"
    change = StatusChange.objects.get(membership=membership)
    assert (change.old_status, change.new_status, change.actor) == (
        "active",
        "suspended",
        steward_admin,
    )
    assert change.note.startswith("Your rooms hosted 300 people")
    assert AuditEntry.objects.filter(action="membership.membership.suspended").count() == 1


def test_only_the_members_memberships_with_its_steward_are_suspended(
    use_concern, concerned, coop_admin, other_steward
):
    elsewhere = MembershipFactory(
        member=concerned.member, steward=other_steward, type="operational", service_level=None
    )
    concern_decide(concern=use_concern, actor=coop_admin, outcome="suspension", text="Stop.")
    elsewhere.refresh_from_db()
    assert elsewhere.status == "active"


@pytest.mark.parametrize("case", ["service", "unknown_member", "already_suspended"])
def test_a_suspension_that_cannot_be_is_refused_and_nothing_changes(
    case, reporter, steward, concerned, coop_admin
):
    if case == "service":
        concern = concern_raise(user=reporter, kind="service", steward=steward, description="x")
    else:
        email = "nobody@example.org" if case == "unknown_member" else concerned.member.email
        concern = concern_raise(user=reporter, kind="use", member_email=email, description="x")
    if case == "already_suspended":
        Membership.objects.filter(pk=concerned.membership.pk).update(status="suspended")
    with pytest.raises(DomainError):
        concern_decide(concern=concern, actor=coop_admin, outcome="suspension", text="Stop.")
    concern.refresh_from_db()
    assert concern.status == "open" and concern.entries.count() == 1


def test_the_admin_action_decides_and_a_second_run_warns(client, use_concern, coop_admin):
    client.force_login(coop_admin)
    changelist = reverse("admin:resellers_concern_changelist")
    data = {"action": "decide_selected", "_selected_action": [use_concern.pk]}
    page = client.post(changelist, data)
    assert page.status_code == 200 and "Decide concerns" in page.content.decode()
    bad = client.post(changelist, {**data, "apply": "1", "outcome": "expel", "text": "x"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    decided = {**data, "apply": "1", "outcome": "no_action", "text": "Within fair use."}
    response = client.post(changelist, decided, follow=True)
    assert "1 concern decided." in response.content.decode()
    response = client.post(changelist, decided, follow=True)
    assert "is already decided" in response.content.decode()
    use_concern.refresh_from_db()
    assert use_concern.outcome == "no_action"


# --- nothing deleted ----------------------------------------------------------------------------


def test_entries_and_concerns_are_never_changed_or_deleted(client, use_concern, coop_admin):
    entry = use_concern.entries.get()
    entry.text = "Edited."
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ConcernEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        use_concern.delete()
    client.force_login(coop_admin)
    delete = reverse("admin:resellers_concern_delete", args=[use_concern.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Concern.objects.filter(pk=use_concern.pk).exists()


# --- emails -------------------------------------------------------------------------------------


def test_the_member_concerned_is_told_once_in_its_language_when_opened_and_decided(
    use_concern, coop_admin, django_capture_on_commit_callbacks
):
    with mock.patch("resellers.services.concerns.send_templated_email") as send:
        assert concern_opened_notify(concern_id=use_concern.pk)
        assert not concern_opened_notify(concern_id=use_concern.pk)
        assert not concern_decided_notify(concern_id=use_concern.pk)  # not decided yet
        with django_capture_on_commit_callbacks(execute=True):
            concern_decide(concern=use_concern, actor=coop_admin, outcome="warning", text="Stop.")
        assert not concern_decided_notify(concern_id=use_concern.pk)
    assert [
        (c.kwargs["template"], c.kwargs["to"], c.kwargs["language"]) for c in send.mock_calls
    ] == [
        ("resellers/email/concern_opened", "carles@example.org", "ca"),
        ("resellers/email/concern_decided", "carles@example.org", "ca"),
    ]


def test_a_resellers_admins_are_told_each_in_their_own_language(reporter, steward, steward_admin):
    steward_admin.language = "es"
    steward_admin.save(update_fields=["language"])
    concern = concern_raise(user=reporter, kind="service", steward=steward, description="x")
    with mock.patch("resellers.services.concerns.send_templated_email") as send:
        concern_opened_notify(concern_id=concern.pk)
    [call] = send.mock_calls
    assert (call.kwargs["to"], call.kwargs["language"]) == (steward_admin.email, "es")


def test_the_decision_email_says_the_outcome_and_not_who_raised_it(
    use_concern, coop_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        concern_decide(concern=use_concern, actor=coop_admin, outcome="warning", text="Stop it.")
    [email] = mailoutbox
    # In the member's language (Catalan here): "avís" is the warning.
    assert "avís" in email.body and "Stop it." in email.body and "Rita" not in email.body


def test_a_steward_admin_with_the_role_sees_the_concerns_page_in_the_admin(client, steward):
    admin = StewardAdminFactory(stewards=[steward])
    client.force_login(admin)
    assert client.get(reverse("admin:resellers_concern_changelist")).status_code == 200
