"""What contributions does when a lower app tells it something (see each signal's contract)."""

from django.db import transaction
from django.dispatch import receiver

from membership.signals import membership_created

from .services import dues_invoice_issue_first, pledge_invoices_issue


@receiver(membership_created, dispatch_uid="contributions.first_invoice")
def issue_first_invoice(sender, *, membership, actor, on, **kwargs):
    """Every new user membership gets its first dues invoice in the same transaction, whoever
    made it (an approved application, the admin's "add")."""
    dues_invoice_issue_first(membership=membership, on=on, actor=actor)


@receiver(membership_created, dispatch_uid="contributions.pledge_invoice")
def issue_pledge_invoice(sender, *, membership, actor, on, **kwargs):
    """A new operational membership whose application pledged money gets its pledge invoice
    once the admission is committed: the application is linked to the membership only after
    the membership is created, in the same transaction. ``robust``: a failure here is logged
    and left to the nightly task, never shown to whoever admitted the member."""
    if membership.type != membership.Type.OPERATIONAL:
        return
    transaction.on_commit(
        lambda: pledge_invoices_issue(on=on, memberships=[membership.pk]), robust=True
    )
