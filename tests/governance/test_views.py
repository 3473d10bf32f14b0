import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Meeting, Proposal, Voter
from meetcoop.core.roles import COOP_ADMINS
from tests.factories import (
    CircleFactory,
    CircleRoleFactory,
    GovernanceDocumentFactory,
    MeetingFactory,
    ProposalFactory,
    UserFactory,
    voting_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Who is who: a co-op admin, a member with voting rights (in the electorate), a login with
    no member, a coordinator of circle A, a coordinator of circle B, and the proposal's author."""
    from django.contrib.auth.models import Group

    today = timezone.localdate()
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=COOP_ADMINS)[0])
    member, member_user = voting_member()
    outsider = UserFactory()
    coord_a_member, coord_a = voting_member()
    coord_b_member, coord_b = voting_member()
    author_member, author = voting_member()
    circle_a, circle_b = CircleFactory(slug="a"), CircleFactory(slug="b")
    start = today - datetime.timedelta(days=30)
    CircleRoleFactory(circle=circle_a, member=coord_a_member, role="coordinator", started_on=start)
    CircleRoleFactory(circle=circle_b, member=coord_b_member, role="coordinator", started_on=start)
    seat = CircleRoleFactory(circle=circle_a, member=member, started_on=start)
    other_seat = CircleRoleFactory(circle=circle_b, member=member, started_on=start)
    proposal = services.proposal_open(
        proposal=ProposalFactory(author=author),
        closes_at=timezone.now() + datetime.timedelta(days=3),
        actor=author,
    )
    draft = ProposalFactory(author=author)
    # Held yesterday, their attendance not recorded yet.
    all_hands = MeetingFactory(
        held_on=today - datetime.timedelta(days=1), attendance_recorded_at=None
    )
    circle_meeting = MeetingFactory(
        kind=Meeting.Kind.CIRCLE,
        circle=circle_a,
        held_on=today - datetime.timedelta(days=1),
        attendance_recorded_at=None,
    )
    document = GovernanceDocumentFactory(slug="policy")
    return {
        "admin": admin,
        "member": member_user,
        "member_obj": member,
        "outsider": outsider,
        "coord_a": coord_a,
        "coord_b": coord_b,
        "author": author,
        "circle_a": circle_a,
        "seat": seat,
        "other_seat": other_seat,
        "proposal": proposal,
        "draft": draft,
        "all_hands": all_hands,
        "circle_meeting": circle_meeting,
        "document": document,
    }


def url(world, name):
    w = world
    return {
        "proposal_list": reverse("governance:proposal_list"),
        "proposal_create": reverse("governance:proposal_create"),
        "proposal_detail": reverse("governance:proposal_detail", args=[w["proposal"].pk]),
        "draft_detail": reverse("governance:proposal_detail", args=[w["draft"].pk]),
        "circle_list": reverse("governance:circle_list"),
        "circle_detail": reverse("governance:circle_detail", args=["a"]),
        "meeting_list": reverse("governance:meeting_list"),
        "meeting_create": reverse("governance:meeting_create"),
        "all_hands_attendance": reverse("governance:meeting_attendance", args=[w["all_hands"].pk]),
        "circle_attendance": reverse(
            "governance:meeting_attendance", args=[w["circle_meeting"].pk]
        ),
        "document_list": reverse("governance:document_list"),
        "document_detail": reverse("governance:document_detail", args=["policy"]),
    }[name]


# (page, role, expected status). Anonymous is always sent to the login page.
GET_TABLE = [
    ("proposal_list", "outsider", 200),
    ("proposal_list", "member", 200),
    ("proposal_create", "outsider", 403),
    ("proposal_create", "member", 200),
    ("proposal_create", "admin", 200),
    ("proposal_detail", "outsider", 404),  # as if it did not exist
    ("proposal_detail", "member", 200),
    ("proposal_detail", "admin", 200),
    ("draft_detail", "member", 404),
    ("draft_detail", "author", 200),
    ("draft_detail", "admin", 200),
    ("circle_list", "outsider", 200),
    ("circle_detail", "outsider", 200),
    ("meeting_list", "member", 200),
    ("meeting_create", "member", 403),
    ("meeting_create", "coord_a", 200),
    ("meeting_create", "admin", 200),
    ("all_hands_attendance", "member", 403),
    ("all_hands_attendance", "outsider", 403),
    ("all_hands_attendance", "coord_b", 200),
    ("all_hands_attendance", "admin", 200),
    ("circle_attendance", "coord_b", 403),
    ("circle_attendance", "coord_a", 200),
    ("circle_attendance", "admin", 200),
    ("document_list", "outsider", 200),
    ("document_detail", "member", 200),
]


@pytest.mark.parametrize(("page", "role", "status"), GET_TABLE)
def test_get_permissions(client, world, page, role, status):
    client.force_login(world[role])
    assert client.get(url(world, page)).status_code == status


@pytest.mark.parametrize("page", sorted({row[0] for row in GET_TABLE}))
def test_anonymous_is_sent_to_login(client, world, page):
    response = client.get(url(world, page))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_unknown_circle_and_document_are_404(client, world):
    client.force_login(world["admin"])
    assert client.get(reverse("governance:circle_detail", args=["nope"])).status_code == 404
    assert client.get(reverse("governance:document_detail", args=["nope"])).status_code == 404


# --- circle management -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("member", 403), ("coord_b", 403), ("coord_a", 302), ("admin", 302)]
)
def test_only_the_circle_coordinator_or_an_admin_adds_seats(client, world, role, status):
    client.force_login(world[role])
    newcomer, _ = voting_member()
    response = client.post(
        reverse("governance:circle_seat_add", args=["a"]),
        {"member": newcomer.pk, "role": "member", "started_on": "2026-01-01"},
    )
    assert response.status_code == status
    assert world["circle_a"].roles.filter(member=newcomer).exists() == (status == 302)


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("coord_b", 403), ("coord_a", 302)])
def test_only_the_circle_coordinator_ends_seats(client, world, role, status):
    client.force_login(world[role])
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("governance:circle_seat_end", args=["a", world["seat"].pk]), {"ended_on": today}
    )
    assert response.status_code == status


def test_a_seat_of_another_circle_is_404(client, world):
    client.force_login(world["coord_a"])
    response = client.post(
        reverse("governance:circle_seat_end", args=["a", world["other_seat"].pk]),
        {"ended_on": "2026-01-01"},
    )
    assert response.status_code == 404


def test_seat_form_with_a_bad_date_keeps_the_input(client, world):
    client.force_login(world["coord_a"])
    response = client.post(
        reverse("governance:circle_seat_add", args=["a"]),
        {"member": world["member_obj"].pk, "role": "coordinator", "started_on": "not a date"},
    )
    assert response.status_code == 400
    assert b"not a date" in response.content


# --- voting ----------------------------------------------------------------------------------


def test_an_outsider_can_not_vote(client, world):
    client.force_login(world["outsider"])
    response = client.post(
        reverse("governance:proposal_vote", args=[world["proposal"].pk]), {"stance": "agree"}
    )
    assert response.status_code == 404


def test_a_member_votes_and_sees_the_tally(client, world):
    client.force_login(world["member"])
    vote_url = reverse("governance:proposal_vote", args=[world["proposal"].pk])
    response = client.post(
        vote_url, {"member": world["member_obj"].pk, "stance": "agree", "reason": "Good."}
    )
    assert response.status_code == 302
    page = client.get(url(world, "proposal_detail")).content.decode()
    assert "Good." in page
    assert Voter.objects.get(member=world["member_obj"]).stance == "agree"


def test_block_without_reason_is_a_form_error(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("governance:proposal_vote", args=[world["proposal"].pk]),
        {"member": world["member_obj"].pk, "stance": "block", "reason": ""},
    )
    assert response.status_code == 400
    assert "A block needs a reason." in response.content.decode()


def test_a_reason_longer_than_a_stance_keeps_is_a_form_error(client, world):
    """Bounded like every text a member types: a megabyte is refused on the form, and nothing
    is added to the append-only stance history."""
    from governance.models import StanceRecord

    client.force_login(world["member"])
    response = client.post(
        reverse("governance:proposal_vote", args=[world["proposal"].pk]),
        {"member": world["member_obj"].pk, "stance": "block", "reason": "x" * 1_000_000},
    )
    assert response.status_code == 400
    assert not StanceRecord.objects.filter(reason__startswith="xxxx").exists()
    assert Voter.objects.get(member=world["member_obj"]).reason == ""
    with pytest.raises(ValidationError):
        services.stance_cast(
            proposal=world["proposal"],
            member=world["member_obj"],
            stance="block",
            reason="x" * 2001,
            actor=world["member"],
        )


def test_only_the_author_or_an_admin_opens_a_draft(client, world):
    open_url = reverse("governance:proposal_open", args=[world["draft"].pk])
    closes = (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.force_login(world["member"])
    assert client.post(open_url, {"closes_at": closes}).status_code == 404  # a draft is hidden
    client.force_login(world["author"])
    assert client.post(open_url, {"closes_at": "yesterday"}).status_code == 400
    assert client.post(open_url, {"closes_at": closes}).status_code == 302
    world["draft"].refresh_from_db()
    assert world["draft"].status == Proposal.Status.OPEN


def test_writing_a_proposal_saves_a_draft(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("governance:proposal_create"),
        {
            "title": "Buy a server",
            "text": "A second one.",
            "electorate": "all",
            "quorum_percent": "0",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="Buy a server")
    assert proposal.status == Proposal.Status.DRAFT and proposal.author == world["member"]


def test_a_circle_proposal_without_its_circle_is_a_form_error(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("governance:proposal_create"),
        {"title": "Circle thing", "text": "x", "electorate": "circle", "quorum_percent": "0"},
    )
    assert response.status_code == 400
    assert "Circle thing" in response.content.decode()


def test_proposal_list_says_you_have_not_voted_yet(client, world):
    client.force_login(world["member"])
    page = client.get(url(world, "proposal_list")).content.decode()
    assert "you have not voted yet" in page and world["proposal"].title in page


def test_attendance_page_lists_everyone_expected_and_records(client, world):
    client.force_login(world["coord_a"])
    page = client.get(url(world, "all_hands_attendance")).content.decode()
    assert world["member_obj"].display_name in page
    response = client.post(
        url(world, "all_hands_attendance"), {"present": [world["member_obj"].pk]}
    )
    assert response.status_code == 302
    assert world["all_hands"].attendances.count() == 1


# --- query counts ----------------------------------------------------------------------------


def test_proposal_page_queries_do_not_grow_with_the_electorate(
    client, world, django_assert_max_num_queries
):
    for _ in range(30):
        voting_member()
    proposal = services.proposal_open(
        proposal=ProposalFactory(author=world["author"]),
        closes_at=timezone.now() + datetime.timedelta(days=3),
        actor=world["author"],
    )
    for voter in proposal.voters.select_related("member")[:20]:
        Voter.objects.filter(pk=voter.pk).update(stance="agree", stance_at=timezone.now())
    client.force_login(world["member"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("governance:proposal_detail", args=[proposal.pk]))
    assert response.status_code == 200


def test_attendance_page_queries_are_bounded(client, world, django_assert_max_num_queries):
    for _ in range(30):
        voting_member()
    client.force_login(world["admin"])
    with django_assert_max_num_queries(12):
        response = client.get(url(world, "all_hands_attendance"))
    assert response.status_code == 200


def test_proposal_list_queries_are_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world["member"])
    with django_assert_max_num_queries(10):
        assert client.get(url(world, "proposal_list")).status_code == 200


def test_a_coordinator_adds_a_meeting_of_its_own_circle_only(client, world):
    client.force_login(world["coord_a"])
    data = {"kind": "circle", "title": "Tech sync", "held_on": "2026-12-01"}
    own = client.post(url(world, "meeting_create"), {**data, "circle": world["circle_a"].pk})
    assert own.status_code == 302
    other_circle = world["other_seat"].circle
    response = client.post(url(world, "meeting_create"), {**data, "circle": other_circle.pk})
    assert response.status_code == 400
    all_hands = client.post(url(world, "meeting_create"), {**data, "kind": "all_hands"})
    assert all_hands.status_code == 400
    assert Meeting.objects.filter(title="Tech sync").count() == 1


def test_a_document_page_lists_only_the_drafts_the_reader_may_see(client, world):
    draft = ProposalFactory(
        author=world["author"], document=world["document"], title="Secret rewrite", new_text="x"
    )
    client.force_login(world["member"])
    assert "Secret rewrite" not in client.get("/governance/documents/policy/").content.decode()
    client.force_login(world["author"])
    assert "Secret rewrite" in client.get("/governance/documents/policy/").content.decode()
    assert draft.status == Proposal.Status.DRAFT
