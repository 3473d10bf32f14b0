"""A former member's erasure keeps the books: every ledger, dues and tally total is the same
afterwards, and the person's name, email and address appear nowhere in the database."""

import datetime
import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from contributions.models import DuesInvoice, DuesPayment, LedgerEntry
from governance import services as governance
from governance.models import Meeting, Proposal, StanceRecord
from governance.selectors.proposals import proposal_tally
from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AuditEntry
from meetcoop.core.roles import TREASURERS, ensure_role_groups
from membership.models import ErasureRequest, Member, Membership
from membership.services import erasure_request
from standing.services import erasure_confirm
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AttendanceFactory,
    ConcernFactory,
    DuesInvoiceFactory,
    DuesPaymentFactory,
    LabourEntryFactory,
    MeetingFactory,
    MemberContactFactory,
    MemberFactory,
    MembershipFactory,
    MoneyEntryFactory,
    ProposalFactory,
    PublicListingFactory,
    StewardAdminFactory,
    TermsAcceptanceFactory,
    UserFactory,
    voting_member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policy")]

NAME = "Zelda Quixote-Farnsworth"
EMAIL = "zelda.qf@example.net"
ADDRESS = "17 Lighthouse Lane\nPortmeirion LL48 6ER"
SECRETS = [NAME, EMAIL, "17 Lighthouse Lane", "Portmeirion LL48 6ER"]


def end(membership):
    Membership.objects.filter(pk=membership.pk).update(
        status=Membership.Status.ENDED, ended_on=datetime.date(2026, 2, 1)
    )


def a_former_member(coop_admin):
    """A member with a bit of everything, whose memberships have ended."""
    user = UserFactory(email=EMAIL, name=NAME)
    member = MemberFactory(name=NAME, email=EMAIL, postal_address=ADDRESS)
    MemberContactFactory(member=member, user=user, role="Treasurer of the family")
    operational = MembershipFactory(member=member, type="operational", service_level=None)
    user_membership = MembershipFactory(member=member)
    other, other_user = voting_member()

    # Ledger: money and labour, approved, with the name in a description.
    LabourEntryFactory(
        member=member,
        hours=Decimal("3.50"),
        status="approved",
        decided_by=coop_admin,
        description=f"Docs written by {NAME}",
    )
    MoneyEntryFactory(member=member, amount=Decimal("40.00"), status="approved")
    MoneyEntryFactory(member=other, amount=Decimal("15.00"), status="approved")
    # Dues and payments, a note naming the payer.
    invoice = DuesInvoiceFactory(membership=user_membership, amount=Decimal("12.00"))
    DuesPaymentFactory(invoice=invoice, note=f"cash from {NAME.upper()}")
    DuesPaymentFactory(invoice=DuesInvoiceFactory(membership=other.memberships.get()))
    # A vote with reasons; closed.
    proposal = ProposalFactory()
    governance.proposal_open(
        proposal=proposal, closes_at=timezone.now() + datetime.timedelta(days=3), actor=coop_admin
    )
    governance.stance_cast(
        proposal=proposal, member=member, stance="block", reason=f"I, {NAME}, object.", actor=user
    )
    governance.stance_cast(proposal=proposal, member=other, stance="agree", actor=other_user)
    # Attendance.
    meeting = MeetingFactory()
    AttendanceFactory(meeting=meeting, member=member)
    AttendanceFactory(meeting=meeting, member=other)
    # An application, concerns by and about them, terms, a public listing.
    ApplicationFactory(
        name=NAME, email=EMAIL, member=member, status="approved", statement=f"I am {NAME}."
    )
    ConcernFactory(member=member, description=f"{NAME} uses too much.")
    ConcernFactory(member=other, raised_for=member, raised_by=user, description="Too loud.")
    TermsAcceptanceFactory(member=member)
    PublicListingFactory(member=member, display_name=NAME)
    # The audit log: an entry written the old way (a name in object_repr) and data with values.
    AuditEntry.objects.create(action="membership.member.changed", object_repr=NAME)
    audit_log(
        actor=coop_admin,
        action="admin.changed",
        obj=member,
        data={"fields": {"name": NAME, "email": EMAIL, "postal_address": ADDRESS}},
    )
    end(operational)
    end(user_membership)
    return member, user, proposal


def totals():
    ledger = LedgerEntry.objects.order_by("member_id", "kind", "status")
    return {
        "ledger_per_member": list(
            ledger.values("member_id", "kind", "status").annotate(
                amount=Sum("amount"), eur=Sum("eur_value"), hours=Sum("hours"), n=Count("pk")
            )
        ),
        "ledger_overall": LedgerEntry.objects.aggregate(
            amount=Sum("amount"), eur=Sum("eur_value"), hours=Sum("hours")
        ),
        "dues": list(
            DuesInvoice.objects.order_by("pk")
            .annotate(paid=Sum("payments__amount"))
            .values_list("pk", "amount", "paid")
        ),
        "payments": DuesPayment.objects.aggregate(total=Sum("amount"), n=Count("pk")),
        "tallies": [(p.pk, proposal_tally(p)) for p in Proposal.objects.order_by("pk")],
        "stances": list(StanceRecord.objects.order_by("pk").values_list("voter_id", "stance")),
        "attendance": list(
            Meeting.objects.order_by("pk").annotate(n=Count("attendances")).values_list("pk", "n")
        ),
    }


def database_text() -> str:
    """Every text of every row of every table, the audit log included, lower-cased."""
    parts = []
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            parts.extend(json.dumps(v, ensure_ascii=False) for v in row if v)
    return "\n".join(parts).lower()


def confirmed(member, coop_admin, actor=None):
    request = erasure_request(member=member, actor=actor or coop_admin)
    return erasure_confirm(request=request, actor=coop_admin)


def test_erasure_keeps_every_total_and_leaves_the_name_nowhere(client, coop_admin):
    member, user, proposal = a_former_member(coop_admin)
    client.force_login(user)
    assert Session.objects.exists()
    text = database_text()
    assert all(secret.lower() in text for secret in SECRETS)
    before = totals()

    request = erasure_request(member=member, actor=user)
    done = erasure_confirm(request=request, actor=coop_admin)

    assert totals() == before
    text = database_text()
    for secret in SECRETS:
        assert secret.lower() not in text, secret
    member.refresh_from_db()
    assert member.name == done.pseudonym and member.name.startswith("Former member ")
    assert member.email.endswith("@invalid") and member.postal_address == ""
    assert done.status == "confirmed" and done.decided_by == coop_admin
    # The register's facts stay.
    assert member.memberships.count() == 2
    assert all(m.admitted_on and m.ended_on for m in member.memberships.all())
    # The login can't sign in; its sessions are gone.
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Session.objects.exists()
    client.logout()
    response = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    # The download is no longer reachable for them.
    assert client.get(reverse("standing:my_data")).status_code == 302
    # The stance's reason is erased, the stance and the tally stay.
    reasons = StanceRecord.objects.filter(voter__member=member).values_list("reason", flat=True)
    assert set(reasons) == {"(erased)"}
    # The audit entries of the request and the confirmation hold ids, not names.
    entries = AuditEntry.objects.filter(action__startswith="standing.erasure")
    assert [e.data["member"] for e in entries] == [member.pk]
    assert entries.get().object_repr == f"erasurerequest #{done.pk}"


def test_an_active_member_is_refused_naming_what_to_end(coop_admin):
    member, user = voting_member()
    with pytest.raises(DomainError) as refused:
        erasure_request(member=member, actor=user)
    assert refused.value.code == "memberships_not_ended"
    assert "end it first" in str(refused.value)
    assert not ErasureRequest.objects.exists()


def test_confirm_refuses_while_a_membership_is_open(coop_admin):
    member, user = voting_member()
    end(member.memberships.get())
    request = erasure_request(member=member, actor=user)
    MembershipFactory(member=member)  # a new one meanwhile
    with pytest.raises(DomainError):
        erasure_confirm(request=request, actor=coop_admin)
    request.refresh_from_db()
    assert request.status == "requested"
    assert Member.objects.get(pk=member.pk).name == member.name


def test_only_a_coop_admin_confirms(coop_admin):
    member, user = voting_member()
    membership = member.memberships.get()
    end(membership)
    request = erasure_request(member=member, actor=user)
    ensure_role_groups()
    from django.contrib.auth.models import Group

    treasurer = UserFactory(is_staff=True)
    treasurer.groups.add(Group.objects.get(name=TREASURERS))
    others = [user, StewardAdminFactory(stewards=[membership.steward]), treasurer, UserFactory()]
    for actor in others:
        with pytest.raises(PermissionDenied):
            erasure_confirm(request=request, actor=actor)
    request.refresh_from_db()
    assert request.status == "requested"


def test_someone_else_cannot_ask_for_a_member(coop_admin):
    member, _user = voting_member()
    end(member.memberships.get())
    with pytest.raises(PermissionDenied):
        erasure_request(member=member, actor=UserFactory())


def test_confirming_twice_changes_nothing(coop_admin):
    member, user = voting_member()
    end(member.memberships.get())
    request = erasure_request(member=member, actor=user)
    erasure_confirm(request=request, actor=coop_admin)
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as second:
        erasure_confirm(request=request, actor=coop_admin)
    assert second.value.code == "already_decided"
    assert AuditEntry.objects.count() == entries
    with pytest.raises(DomainError):
        erasure_request(member=member, actor=coop_admin)


def test_asking_twice_gives_the_same_request(coop_admin):
    member, user = voting_member()
    end(member.memberships.get())
    first = erasure_request(member=member, actor=user)
    assert erasure_request(member=member, actor=coop_admin) == first
    assert first.pseudonym.startswith("Former member ")
    assert NAME not in first.pseudonym


def test_a_login_acting_for_another_member_only_loses_its_link(coop_admin):
    member, user = voting_member()
    end(member.memberships.get())
    organisation = MemberFactory(kind="organisation", organisation_name="Coop Org")
    MemberContactFactory(member=organisation, user=user)
    confirmed(member, coop_admin, actor=user)
    user.refresh_from_db()
    assert user.is_active and user.has_usable_password()
    assert not user.member_links.filter(member=member).exists()
    assert user.member_links.filter(member=organisation).exists()


def test_the_data_download_totals_match_the_database(client):
    member, user = voting_member(membership_type="user")
    membership = member.memberships.get()
    for month, amount in ((1, "10.00"), (2, "12.50")):
        start = datetime.date(2026, month, 1)
        invoice = DuesInvoiceFactory(
            membership=membership, amount=Decimal(amount), period_start=start, period_end=start
        )
        DuesPaymentFactory(invoice=invoice)
    for amount in ("25.00", "7.30"):
        MoneyEntryFactory(member=member, amount=Decimal(amount), status="approved")
    LabourEntryFactory(member=member, hours=Decimal("1.75"), status="approved")
    client.force_login(user)
    data = json.loads(client.get(reverse("standing:my_data")).content)
    (mine,) = data["members"]
    ledger = LedgerEntry.objects.filter(member=member).aggregate(
        eur=Sum("eur_value"), hours=Sum("hours")
    )
    assert sum(Decimal(e["eur_value"] or "0") for e in mine["ledger"]) == ledger["eur"]
    assert sum(Decimal(e["hours"] or "0") for e in mine["ledger"]) == ledger["hours"]
    invoices = [i for m in mine["memberships"] for i in m["dues_invoices"]]
    assert (
        sum(Decimal(i["amount"]) for i in invoices)
        == DuesInvoice.objects.filter(membership__member=member).aggregate(total=Sum("amount"))[
            "total"
        ]
    )
    assert (
        sum(Decimal(p["amount"]) for i in invoices for p in i["payments"])
        == (
            DuesPayment.objects.filter(invoice__membership__member=member).aggregate(
                total=Sum("amount")
            )["total"]
        )
    )


# --- pages --------------------------------------------------------------------------------


def test_me_offers_forgetting_to_a_former_member_only(client):
    member, user = voting_member()
    client.force_login(user)
    assert b"Ask to be forgotten" not in client.get(reverse("standing:dashboard")).content
    response = client.post(reverse("standing:forget_me"), {"member": member.pk, "understood": "on"})
    assert response.status_code == 400
    assert not ErasureRequest.objects.exists()

    end(member.memberships.get())
    assert b"Ask to be forgotten" in client.get(reverse("standing:dashboard")).content
    unticked = client.post(reverse("standing:forget_me"), {"member": member.pk})
    assert unticked.status_code == 400
    assert not ErasureRequest.objects.exists()
    response = client.post(
        reverse("standing:forget_me"), {"member": member.pk, "understood": "on", "reason": "Moved"}
    )
    assert response.status_code == 302
    request = ErasureRequest.objects.get()
    assert (request.member, request.requested_by, request.status) == (member, user, "requested")
    assert b"waiting for a co-op admin" in client.get(reverse("standing:dashboard")).content


def test_the_admin_confirms_through_a_page_that_says_what_changes(client, coop_admin):
    member, user = voting_member()
    end(member.memberships.get())
    request = erasure_request(member=member, actor=user)
    client.force_login(coop_admin)
    url = reverse("admin:membership_erasurerequest_changelist")
    form = {"action": "confirm_selected", "_selected_action": [request.pk]}
    page = client.post(url, form)
    assert page.status_code == 200
    assert request.pseudonym.encode() in page.content
    assert b"every total stays the same" in page.content
    client.post(url, {**form, "apply": "1"})  # the box unticked: nothing happens
    request.refresh_from_db()
    assert request.status == "requested"
    client.post(url, {**form, "apply": "1", "understood": "on"})
    request.refresh_from_db()
    assert request.status == "confirmed"
    assert Member.objects.get(pk=member.pk).name == request.pseudonym


def test_a_coop_admin_asks_on_their_behalf_from_the_member_page(client, coop_admin):
    member, _user = voting_member()
    client.force_login(coop_admin)
    member_page = client.get(reverse("admin:membership_member_change", args=[member.pk]))
    on_behalf = reverse("admin:membership_erasurerequest_on_behalf", args=[member.pk])
    assert on_behalf.encode() in member_page.content
    refused = client.post(on_behalf, follow=True)
    assert b"end it first" in refused.content
    assert not ErasureRequest.objects.exists()
    end(member.memberships.get())
    assert client.get(on_behalf).status_code == 200
    client.post(on_behalf)
    assert ErasureRequest.objects.get().requested_by == coop_admin


def test_a_steward_admin_sees_no_erasure_requests(client, coop_admin):
    member, user = voting_member()
    membership = member.memberships.get()
    end(membership)
    request = erasure_request(member=member, actor=user)
    client.force_login(StewardAdminFactory(stewards=[membership.steward]))
    url = reverse("admin:membership_erasurerequest_changelist")
    assert client.get(url).status_code == 403
    form = {"action": "confirm_selected", "_selected_action": [request.pk], "apply": "1"}
    client.post(url, {**form, "understood": "on"})
    on_behalf = reverse("admin:membership_erasurerequest_on_behalf", args=[member.pk])
    assert client.post(on_behalf).status_code == 403
    request.refresh_from_db()
    assert request.status == "requested"


def test_a_town_or_country_line_of_the_address_stays_in_other_members_rows(coop_admin):
    """The street and postcode lines are swept; a line naming only a town or a country is
    no one's, and another member's own address is theirs: neither is rewritten."""
    member = MemberFactory(
        name=NAME, email=EMAIL, postal_address="17 Lighthouse Lane\nBarcelona\nSpain"
    )
    end(MembershipFactory(member=member))
    neighbour = "17 Lighthouse Lane\nBarcelona\nSpain"
    other = MemberFactory(postal_address=neighbour)
    trip = MoneyEntryFactory(member=other, status="approved", description="Trip to Spain")
    mine = MoneyEntryFactory(
        member=member, status="approved", description="Posted to 17 Lighthouse Lane"
    )

    confirmed(member, coop_admin)

    other.refresh_from_db()
    assert other.postal_address == neighbour
    assert LedgerEntry.objects.get(pk=trip.pk).description == "Trip to Spain"
    assert LedgerEntry.objects.get(pk=mine.pk).description == "Posted to (erased)"


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="the triggers exist on PostgreSQL",
)
def test_the_trigger_lets_only_the_erasure_rewrite_only_free_text(coop_admin):
    from django.db import DatabaseError, connection, transaction

    from meetcoop.core.erasure import erasure_allowed

    entry = audit_log(actor=coop_admin, action="x.y", data={"name": NAME})
    for sql, allowed in (
        ("UPDATE core_auditentry SET data = '{}'::jsonb WHERE id = %s", True),
        ("UPDATE core_auditentry SET action = 'z' WHERE id = %s", False),
    ):
        with transaction.atomic():
            with erasure_allowed(), connection.cursor() as cursor:
                if allowed:
                    cursor.execute(sql, [entry.pk])
                else:
                    with pytest.raises(DatabaseError), transaction.atomic():
                        cursor.execute(sql, [entry.pk])
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, [entry.pk])  # outside the erasure: refused
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.data, entry.action) == ({}, "x.y")


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="the triggers exist on PostgreSQL",
)
def test_each_triggers_erasable_columns_are_the_codes():
    """The migrations write each trigger with the columns of their day; a column added to (or
    taken from) ``ERASABLE_COLUMNS`` without a migration would let the erasure's UPDATE be
    refused on every database migrated before, or let more through than the code says."""
    import re

    from django.db import connection

    from meetcoop.core.erasure import ERASABLE_COLUMNS

    functions = {
        table: "contributions_ledgerentry_decided_guard"
        if table == "contributions_ledgerentry"
        else f"{table}_append_only"
        for table in ERASABLE_COLUMNS
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)",
            [list(functions.values())],
        )
        sources = dict(cursor.fetchall())
    for table, function in functions.items():
        installed = re.findall(r"ARRAY\[([^\]]*)\]::text\[\]", sources[function])
        assert installed, f"{function} has no erasure clause"
        listed = {str(re.findall(r"'([^']+)'", array)) for array in installed}
        assert listed == {str(ERASABLE_COLUMNS[table])}, table


def test_secrets_and_one_time_keys_are_never_rewritten(coop_admin):
    """A swept text found by chance inside another person's password hash, a form's one-time
    key or a service token would corrupt them: those columns hold no words and are left."""
    from oauth2_provider.models import AccessToken

    from meetcoop.core.models import SubmissionKey
    from meetcoop.users.models import User

    member = MemberFactory(name=NAME, email=EMAIL, postal_address="Flat 3\n08001 Barcelona")
    end(MembershipFactory(member=member))
    other = UserFactory()
    hashed = "pbkdf2_sha256$870000$q08001 Barcelonaz$c2FsdA=="
    User.objects.filter(pk=other.pk).update(password=hashed)
    key = SubmissionKey.objects.create(key="x08001 Barcelonay-kept-as-it-is")
    token = AccessToken.objects.create(
        user=other,
        token="tok-08001 barcelona-live",
        scope="openid",
        expires=timezone.now() + datetime.timedelta(minutes=5),
    )
    note = MoneyEntryFactory(member=member, status="approved", description="08001 Barcelona")

    confirmed(member, coop_admin)

    assert User.objects.get(pk=other.pk).password == hashed
    assert SubmissionKey.objects.get(pk=key.pk).key == "x08001 Barcelonay-kept-as-it-is"
    assert AccessToken.objects.get(pk=token.pk).token == "tok-08001 barcelona-live"
    assert LedgerEntry.objects.get(pk=note.pk).description == "(erased)"  # the words still go


def test_an_import_id_is_erased_only_where_it_names_the_person_whole(coop_admin):
    """An import's id is replaced when it holds the person's name or email as a whole, not
    when the text is only part of a longer word (another person's id)."""
    from standing.models import ImportedRecord, ImportRun, erased_import_id

    member = MemberFactory(name="Ana Roca", email="ana.roca@example.net", postal_address="")
    end(MembershipFactory(member=member))
    someone = MemberFactory(name="Ana Rocabert")
    run = ImportRun.objects.create(
        actor=coop_admin, outcome=ImportRun.Outcome.WRITTEN, files=[], counts={}
    )
    mine = ImportedRecord.objects.create(
        kind="members", external_id="ana roca", object_id=member.pk, run=run
    )
    theirs = ImportedRecord.objects.create(
        kind="members", external_id="ana rocabert", object_id=someone.pk, run=run
    )

    confirmed(member, coop_admin)

    assert ImportedRecord.objects.get(pk=mine.pk).external_id == erased_import_id("ana roca")
    assert ImportedRecord.objects.get(pk=theirs.pk).external_id == "ana rocabert"
