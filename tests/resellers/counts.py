"""The members and memberships the tests' applicants make, apart from the members who own the
test stewards (a reseller belongs to an operational member, docs/domain.md "Who may resell")."""

from membership.models import Member, Membership


def applicant_members():
    return Member.objects.filter(reseller__isnull=True)


def applicant_memberships():
    return Membership.objects.filter(member__reseller__isnull=True)
