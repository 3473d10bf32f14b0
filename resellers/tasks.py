"""Celery tasks of the resellers app: thin, take ids, idempotent (each email is sent once)."""

from celery import shared_task

from . import services


@shared_task
def application_submission_notify(application_id: int) -> bool:
    """Confirmation to the applicant and notice to the steward's admins."""
    return services.application_submission_notify(application_id=application_id)


@shared_task
def application_decision_notify(application_id: int) -> bool:
    """The decision to the applicant, in the applicant's language."""
    return services.application_decision_notify(application_id=application_id)
