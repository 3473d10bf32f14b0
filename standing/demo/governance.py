"""Demo data for ``seed_demo``: circles and seats, a year of monthly All Hands Meetings with
attendance, the Membership Policy with one adopted amendment, and open and closed proposals.

Keyed by natural keys (a circle's slug, a meeting's date, a proposal's title), so running the
seeder again changes nothing. Proposals go through the services (frozen text, electorate
snapshot, tally) with ``notify=False``: the demo mails nobody.
"""

import datetime

from dateutil.relativedelta import relativedelta

from governance import services
from governance.models import (
    Attendance,
    Circle,
    CircleRole,
    GovernanceDocument,
    Meeting,
    Proposal,
    Voter,
)
from membership.models import Member, Membership, TermsVersion

CIRCLES = [
    # slug, name, purpose
    ("tech", "Tech", "Runs the BigBlueButton and Greenlight servers, upgrades and monitoring."),
    ("outreach", "Outreach", "Talks to the co-operative movement, writes posts, finds members."),
    (
        "finance",
        "Finance",
        "Keeps the books, invoices dues and follows the reseller revenue share.",
    ),
    ("membership", "Membership", "Welcomes new members and looks after the governance documents."),
]

MEMBERSHIP_POLICY_V1 = """# Membership Policy

This policy says who the members of the co-op are and what each kind of member brings and
receives. Every number in it is a policy value with a date from which it applies; changing a
number is a new policy, and it never reaches back to people who applied before it.

## Kinds of member

- **User members** use the meeting rooms. They choose a service level (Small, Medium and Large
  through a reseller; Free, Organization, Custom and Event through the co-op) and pay at least
  its minimum contribution.
- **Operational members** build and run the co-op. Each of them may also hold a user membership.

A member is a person or an organisation; an organisation acts through its contact people.

## Joining

Everyone applies to one steward: a reseller or the co-op itself. The steward may say no.
A user member is admitted by its steward. An operational member is admitted only when the
Permanent Assembly adopts a proposal to admit them.

## What an operational member commits to

- A commitment of **500 EUR**, paid in money, in resources, or in work valued at
  **12.50 EUR an hour** (500 EUR for 40 hours). Money and hours can be mixed.
- Fulfilling it within **365 days** of admission.
- Sitting in at least one circle.
- Attending at least **half** of the All Hands Meetings of the past 365 days.

## Staying active

A membership that no longer meets these conditions lapses, and becomes active again as soon as
it does. Members see the reasons, in plain words, on their own page before they lapse.
"""

MEMBERSHIP_POLICY_V2 = MEMBERSHIP_POLICY_V1.replace(
    "- Attending at least **half** of the All Hands Meetings of the past 365 days.\n",
    "- Attending at least **half** of the All Hands Meetings of the past 365 days. Meetings held\n"
    "  before a member was admitted do not count, and a year with no meeting counts as met.\n",
).replace(
    "## Staying active\n",
    "## Hours\n\nHours are logged by a circle coordinator or by the member, and count only once a\n"
    "coordinator of that circle who is not the member approves them. Nobody sets their own\n"
    "hourly rate.\n\n## Staying active\n",
)


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)


def _contact(member):
    link = member.contact_links.select_related("user").order_by("-is_primary", "pk").first()
    return link.user if link else None


def _decide(
    title: str,
    *,
    text: str,
    opened: datetime.date,
    days: int,
    stances: dict,
    today: datetime.date,
    electorate=Proposal.Electorate.OPERATIONAL,
    circle=None,
    document=None,
    new_text="",
    author=None,
):
    """Create, open, vote and (when its time has passed) close one proposal, once."""
    if Proposal.objects.filter(title=title).exists():
        return None
    proposal = services.proposal_create(
        title=title,
        text=text,
        electorate=electorate,
        circle=circle,
        document=document,
        new_text=new_text,
        actor=author,
    )
    closes_at = _at(opened + datetime.timedelta(days=days), 18)
    proposal = services.proposal_open(
        proposal=proposal, closes_at=closes_at, actor=author, now=_at(opened, 9), notify=False
    )
    voters = list(proposal.voters.select_related("member").order_by("member__email"))
    for index, voter in enumerate(voters):
        stance = stances.get(index, stances.get("rest"))
        if not stance:
            continue
        kind, reason = stance if isinstance(stance, tuple) else (stance, "")
        services.stance_cast(
            proposal=proposal,
            member=voter.member,
            stance=kind,
            reason=reason,
            actor=_contact(voter.member),
            now=_at(opened, 9) + datetime.timedelta(minutes=20 * (index + 1)),
        )
    if closes_at <= _at(today, 0):
        services.proposal_close(
            proposal=proposal,
            actor=None,
            now=closes_at + datetime.timedelta(minutes=5),
            notify=False,
        )
    return proposal


def seed(out, today: datetime.date) -> None:
    from meetcoop.users.models import User

    from .base import ADMIN_EMAIL

    admin = User.objects.filter(email=ADMIN_EMAIL).first()

    circles = {}
    for slug, name, purpose in CIRCLES:
        circles[slug], _c = Circle.objects.get_or_create(
            slug=slug, defaults={"name": name, "purpose": purpose}
        )

    operational = list(
        Member.objects.filter(
            memberships__type=Membership.Type.OPERATIONAL,
            memberships__status__in=[Membership.Status.ACTIVE, Membership.Status.LAPSED],
        )
        .distinct()
        .order_by("email")
    )
    slugs = [slug for slug, *_rest in CIRCLES]
    seat_start = today - datetime.timedelta(days=500)
    for index, member in enumerate(operational):
        circle = circles[slugs[index % len(slugs)]]
        role = CircleRole.Role.COORDINATOR if index < len(slugs) else CircleRole.Role.MEMBER
        CircleRole.objects.get_or_create(
            circle=circle, member=member, role=role, defaults={"started_on": seat_start}
        )
        if index % 3 == 0:  # some sit in two circles
            CircleRole.objects.get_or_create(
                circle=circles[slugs[(index + 1) % len(slugs)]],
                member=member,
                role=CircleRole.Role.MEMBER,
                defaults={"started_on": seat_start},
            )

    # A year of monthly All Hands Meetings, on the 10th, with attendance.
    admitted = {
        m.member_id: m.admitted_on
        for m in Membership.objects.filter(type=Membership.Type.OPERATIONAL, member__in=operational)
    }
    lapsed = set(
        Membership.objects.filter(
            type=Membership.Type.OPERATIONAL, status=Membership.Status.LAPSED
        ).values_list("member_id", flat=True)
    )
    for months_ago in range(12, 0, -1):
        held_on = (today - relativedelta(months=months_ago)).replace(day=10)
        meeting, created = Meeting.objects.get_or_create(
            kind=Meeting.Kind.ALL_HANDS,
            held_on=held_on,
            defaults={
                "title": f"All Hands {held_on:%B %Y}",
                "agenda": "Rounds; circle reports; open proposals; next steps.",
                "minutes_url": f"https://minutes.meet.coop.example/all-hands/{held_on:%Y-%m}",
                "attendance_recorded_at": _at(held_on, 20),
                "attendance_recorded_by": admin,
            },
        )
        if not created:
            continue
        for index, member in enumerate(operational):
            if admitted.get(member.pk) and admitted[member.pk] > held_on:
                continue
            present = months_ago % 4 == 0 if member.pk in lapsed else (index + months_ago) % 4
            if present:
                Attendance.objects.get_or_create(
                    meeting=meeting,
                    member=member,
                    defaults={"recorded_at": _at(held_on, 20), "recorded_by": admin},
                )
    for slug in ("tech", "outreach"):
        held_on = (today - relativedelta(months=1)).replace(day=20)
        Meeting.objects.get_or_create(
            kind=Meeting.Kind.CIRCLE,
            circle=circles[slug],
            held_on=held_on,
            defaults={
                "title": f"{circles[slug].name} circle {held_on:%B %Y}",
                "agenda": "Tasks, hours to approve, next month.",
            },
        )

    # The Membership Policy: adopted a year ago, amended two months ago.
    # Public, the text of "How to become a member", looked after by the Membership circle and
    # decided by the whole Assembly.
    policy_doc, _c = GovernanceDocument.objects.get_or_create(
        slug="membership-policy",
        defaults={
            "title": "Membership Policy",
            "public": True,
            "membership_page": True,
            "responsible_circle": circles["membership"],
        },
    )
    _decide(
        "Adopt the Membership Policy",
        text="Make the Membership Policy below the co-op's first governance document.",
        opened=today - datetime.timedelta(days=330),
        days=14,
        stances={"rest": Voter.Stance.AGREE, 1: Voter.Stance.ABSTAIN},
        today=today,
        document=policy_doc,
        new_text=MEMBERSHIP_POLICY_V1,
        author=admin,
    )
    _decide(
        "Membership Policy: how hours and early meetings count",
        text="Say in the policy how hours are approved, and that meetings held before admission "
        "do not count against a new member.",
        opened=today - datetime.timedelta(days=60),
        days=10,
        stances={"rest": Voter.Stance.AGREE, 2: Voter.Stance.ABSTAIN, 5: None},
        today=today,
        document=policy_doc,
        new_text=MEMBERSHIP_POLICY_V2,
        author=admin,
    )
    # The Terms of Use and the Fair Use Agreement members accept: governance documents whose
    # adopted texts are the terms' next versions. Their first text is the terms in force
    # (so adopting it asks nobody to accept anything new); a change is a proposal.
    for slug, title, kind in (
        ("terms-of-use", "Terms of Use", "terms_of_use"),
        ("fair-use", "Fair Use Agreement", "fair_use"),
    ):
        terms_doc, _c = GovernanceDocument.objects.get_or_create(
            slug=slug, defaults={"title": title, "public": True, "members_accept": kind}
        )
        in_force = TermsVersion.objects.filter(document=kind).order_by("-published_at").first()
        if in_force is not None:
            _decide(
                f"Adopt the {title} in force as a governance document",
                text=f"From now on the {title} change only by a proposal of the Assembly.",
                opened=today - datetime.timedelta(days=300),
                days=14,
                stances={"rest": Voter.Stance.AGREE},
                today=today,
                electorate=Proposal.Electorate.ALL,
                document=terms_doc,
                new_text=in_force.text,
                author=admin,
            )
    _decide(
        "Move the All Hands Meetings to Wednesday evenings",
        text="Hold the monthly All Hands on the second Wednesday at 19:00 CET instead of Tuesday "
        "mornings.",
        opened=today - datetime.timedelta(days=30),
        days=7,
        stances={
            "rest": Voter.Stance.AGREE,
            3: (Voter.Stance.BLOCK, "Evenings clash with our childcare; find a daytime slot."),
        },
        today=today,
    )
    _decide(
        "Buy a second BigBlueButton server for events",
        text="Rent a second server for large events, paid from the Event level's contributions.",
        opened=today - datetime.timedelta(days=2),
        days=7,
        stances={0: Voter.Stance.AGREE, 1: Voter.Stance.AGREE, 2: Voter.Stance.ABSTAIN},
        today=today,
        electorate=Proposal.Electorate.ALL,
        author=admin,
    )
    _decide(
        "Upgrade BigBlueButton on the main server",
        text="Upgrade to the current BigBlueButton release during the next maintenance window.",
        opened=today - datetime.timedelta(days=1),
        days=3,
        stances={0: Voter.Stance.AGREE},
        today=today,
        electorate=Proposal.Electorate.CIRCLE,
        circle=circles["tech"],
        author=admin,
    )
    out.write(
        f"  circles: {Circle.objects.count()}, meetings: {Meeting.objects.count()}, "
        f"proposals: {Proposal.objects.count()}"
    )
