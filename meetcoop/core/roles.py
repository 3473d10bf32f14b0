"""Role checks in one place. Steward and circle roles live with their apps' selectors."""

COOP_ADMINS = "Co-op admins"
TREASURERS = "Treasurers"
STEWARD_ADMINS = "Steward admins"
COORDINATORS = "Circle coordinators"


def _in_group(user, name: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._group_names = cache
    return name in cache


def is_coop_admin(user) -> bool:
    """A co-op admin may do everything."""
    return bool(getattr(user, "is_superuser", False)) or _in_group(user, COOP_ADMINS)


def is_treasurer(user) -> bool:
    return is_coop_admin(user) or _in_group(user, TREASURERS)


# The Django-admin permissions each role's group carries ("app_label.codename"). Rows are
# still filtered per object by each admin's queryset; a permission only opens the page.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    COOP_ADMINS: ["*"],
    TREASURERS: [
        # issue 4: contributions
        "contributions.view_ledgerentry",
        "contributions.view_duesinvoice",
        "contributions.view_duespayment",
        "contributions.add_duespayment",
        "contributions.view_revenuereport",
        "contributions.view_revenuesharepayment",
        "contributions.add_revenuesharepayment",
        # issue 15: pledge invoices, bank statements, online payments
        "contributions.view_pledgeinvoice",
        "contributions.view_bankstatement",
        "contributions.view_bankline",
        "contributions.view_onlinepayment",
        "contributions.view_onlinepaymentevent",
    ],
    STEWARD_ADMINS: [
        "membership.view_member",
        "membership.view_membership",
        "membership.view_servicelevel",
        "resellers.view_steward",
        "resellers.change_steward",
        "resellers.view_stewardoffer",
        "resellers.add_stewardoffer",
        "resellers.change_stewardoffer",
        # issue 4: contributions (rows scoped to the admin's own steward)
        "contributions.view_duesinvoice",
        "contributions.view_duespayment",
        "contributions.add_duespayment",
        "contributions.view_revenuereport",
        "contributions.add_revenuereport",
        "contributions.view_revenuesharepayment",
        # issue 15: their own members' pledge invoices and their own bank statements
        "contributions.view_pledgeinvoice",
        "contributions.view_bankstatement",
        "contributions.view_bankline",
        "resellers.view_application",
        "resellers.change_application",
        "resellers.view_applicationdecision",
        # issue 14: concerns about their own members' use (rows scoped by ``followed_by``)
        "resellers.view_concern",
        "resellers.change_concern",
        "resellers.view_concernentry",
        # issue 17: the services that sign their members in (rows scoped to their steward)
        "standing.view_service",
        "standing.add_service",
        "standing.change_service",
    ],
    COORDINATORS: [],
}


def ensure_role_groups(**kwargs):
    """Create the role groups and give them their permissions (runs after every migrate)."""
    from django.contrib.auth.models import Group, Permission

    for name, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        if codes == ["*"]:
            perms = Permission.objects.all()
        else:
            perms = [
                p
                for code in codes
                for p in Permission.objects.filter(
                    content_type__app_label=code.split(".")[0], codename=code.split(".")[1]
                )
            ]
        group.permissions.add(*perms)
