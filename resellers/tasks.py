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


@shared_task
def application_confirmation_send(application_id: int) -> bool:
    """The link to the email's owner, sent again."""
    return services.application_confirmation_send(application_id=application_id)


@shared_task
def application_duplicate_notify(application_id: int) -> bool:
    """To the address of an open application: another one came with it, the first was kept."""
    return services.application_duplicate_notify(application_id=application_id)


@shared_task
def concern_opened_notify(concern_id: int) -> bool:
    """The person concerned is told a concern about them was opened."""
    return services.concern_opened_notify(concern_id=concern_id)


@shared_task
def concern_decided_notify(concern_id: int) -> bool:
    """The person concerned is told the outcome."""
    return services.concern_decided_notify(concern_id=concern_id)
