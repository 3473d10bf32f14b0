"""What resellers does when a lower app tells it something (see each signal's contract)."""

from django.dispatch import receiver

from governance.signals import admission_decided

from . import services


@receiver(admission_decided, dispatch_uid="resellers.admission_decided")
def on_admission_decided(sender, *, proposal, adopted, reason, actor, on, **kwargs):
    """Admit the applicant, or close the application, in the proposal's close transaction."""
    services.admission_decided(
        application_id=proposal.admission_application_id,
        adopted=adopted,
        reason=reason,
        actor=actor,
        on=on,
        outcome_code=proposal.outcome_code,
        outcome_params=proposal.outcome_params,
    )
