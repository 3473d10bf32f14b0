"""What contributions does when a lower app tells it something (see each signal's contract)."""

from django.dispatch import receiver

from membership.signals import membership_created

from .services import dues_invoice_issue_first


@receiver(membership_created, dispatch_uid="contributions.first_invoice")
def issue_first_invoice(sender, *, membership, actor, on, **kwargs):
    """Every new user membership gets its first dues invoice in the same transaction, whoever
    made it (an approved application, the admin's "add")."""
    dues_invoice_issue_first(membership=membership, on=on, actor=actor)
