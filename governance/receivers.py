"""What governance does when the layers below change (their contracts are in
``membership.signals``)."""

from django.dispatch import receiver

from membership.signals import membership_ended

from .services.circles import seats_end_for_departed


@receiver(membership_ended, dispatch_uid="governance.end_seats")
def end_seats_of_departed_member(sender, membership, actor, on, note="", **kwargs):
    """A member whose membership ended leaves its circles on that day, in the same
    transaction: an ended member holds no seat (nor the powers a coordinator's seat gives)."""
    seats_end_for_departed(member=membership.member, on=on, actor=actor, note=note)
